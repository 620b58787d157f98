"""Counting methods: each takes a Profile and returns a self-explaining Result."""
