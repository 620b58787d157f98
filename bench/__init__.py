"""Benchmarks that run a peer library side by side with Kenes and print ratios."""
