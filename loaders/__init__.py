"""Loaders: one module per source format; bytes in -> canonical frames + problems out."""
