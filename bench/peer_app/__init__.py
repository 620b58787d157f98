"""The peer's side of the import benchmark: a plain member model and its import-export resource."""
