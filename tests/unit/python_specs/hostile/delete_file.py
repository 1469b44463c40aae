"""Deletes a file next to itself."""

import os
from pathlib import Path

os.remove(Path(__file__).with_name("victim.txt"))
