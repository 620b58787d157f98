"""Append-only, hash-chained log of every look at personal data and every change that matters."""
