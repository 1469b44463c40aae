"""Rebinds what an audit hook might rely on, then reads /etc/passwd."""

import builtins
import os.path

builtins.isinstance = lambda *args: True
builtins.any = lambda *args: False
os.path.realpath = lambda path, **kwargs: "/nowhere"
os.fspath = lambda path: "/nowhere"
with open("/etc/passwd") as handle:
    print(handle.read())
