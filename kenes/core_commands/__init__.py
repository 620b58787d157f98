"""Commands that only compute (tally, seats, consensus): no database, no configuration."""
