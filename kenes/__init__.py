"""Kenes: a self-hosted platform on which grassroots groups organise into a democratic party."""

__version__ = "0.1.0"
