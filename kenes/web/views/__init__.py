"""Views by page family. Each is thin: check with `can`, call a registry service, render."""
