"""The peer of bench.ballots_load: "just insert a row" behind the same GET-then-POST-with-CSRF."""
