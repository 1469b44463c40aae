"""Reads a file outside its own folder (the test puts one there)."""

from pathlib import Path

print(Path(__file__).parent.parent.joinpath("secret.txt").read_text())
