"""Congress rules that need no database: the quorum (kenes.core.congress.quorum)."""
