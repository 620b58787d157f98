"""Locale formats Django does not ship (settings.FORMAT_MODULE_PATH points here)."""
