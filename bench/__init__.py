"""Benchmarks (not tests): each prints its numbers and a ratio against a lower bound."""
