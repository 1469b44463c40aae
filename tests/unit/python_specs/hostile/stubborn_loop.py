"""Ignores the child's own alarm: the parent kills the process group."""

import signal

signal.signal(signal.SIGALRM, signal.SIG_IGN)
while True:
    pass
