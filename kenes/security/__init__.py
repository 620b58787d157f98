"""Encryption of personal data at rest and keyed blind indexes (not a Django app)."""
