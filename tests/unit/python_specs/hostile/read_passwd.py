"""Reads /etc/passwd."""

with open("/etc/passwd") as handle:
    print(handle.read())
