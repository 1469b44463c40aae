"""Connects to a port on this machine (the test listens on it)."""

import socket
from pathlib import Path

port = int(Path(__file__).with_name("port.txt").read_text())
with socket.create_connection(("127.0.0.1", port), timeout=2) as conn:
    conn.sendall(b"secrets")
