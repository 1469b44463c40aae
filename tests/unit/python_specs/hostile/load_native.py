"""Loads the C library through ctypes."""

import ctypes

libc = ctypes.CDLL("libc.so.6")
libc.system(b"touch /tmp/katib-gitops-pwned")
