"""Internal elections and motions: secret ballots counted by kenes.core.tally."""
