"""Allocates 10 GiB."""

blob = bytearray(10 * 1024**3)
