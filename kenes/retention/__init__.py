"""Retention: how long each kind of data is kept, applied by the worker (docs/retention.md)."""
