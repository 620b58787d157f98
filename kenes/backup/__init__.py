"""Encrypted backups (age format, to the trustees' public keys), restore, and retention.

Other apps call `kenes.backup.schedule.run_due` (the worker) and nothing else.
"""
