"""Reads the parent's environment through /proc."""

import os

with open(f"/proc/{os.getppid()}/environ", "rb") as handle:
    print(handle.read())
