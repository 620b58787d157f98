"""Jurisdiction data files (one TOML per country), shipped as package data."""
