"""Runs a program."""

import subprocess
from pathlib import Path

subprocess.run(["touch", str(Path(__file__).with_name("ran.txt"))], check=True)
