"""Kenes core: pure-Python rules and algorithms, with no Django in them."""
