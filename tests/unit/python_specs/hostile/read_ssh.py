"""Reads the user's SSH key. The sandbox has no HOME and cannot read /etc/passwd to find the
home folder, so the test writes it into home.txt, next to this spec."""

from pathlib import Path

home = Path(__file__).with_name("home.txt").read_text()
print((Path(home) / ".ssh" / "id_rsa").read_text())
