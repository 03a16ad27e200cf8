"""Writes. Each function is one use case; it validates, writes in one transaction and
returns what it wrote. Nothing here knows about HTTP."""
