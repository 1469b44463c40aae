"""Writes a file next to itself."""

from pathlib import Path

Path(__file__).with_name("pwned.txt").write_text("owned")
