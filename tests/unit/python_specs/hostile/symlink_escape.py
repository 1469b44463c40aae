"""Reads a symbolic link in its own folder that points outside (the test makes the link)."""

from pathlib import Path

print(Path(__file__).with_name("link.txt").read_text())
