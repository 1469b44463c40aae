"""The audit hook of the Python-spec sandbox (loaded by path in the child, standard library only).

It refuses file writes and changes, reads outside the allowed folders, processes, threads, the
network, native code and interpreter introspection, with a message that names what the spec
tried and the spec line that tried it. It is a guard rail that explains, not the boundary:

- everything the hook calls is bound when it is made (C functions of `posix` and `_stat`, the
  builtins it uses), and the hook function is referenced by nothing but the interpreter, so a
  spec cannot switch it off by rebinding `os.path.realpath`, `builtins.isinstance` or this
  module's globals; but Python code can still fool it, e.g. a path object whose `__fspath__`
  answers differently when the file is opened and when the hook looks;
- C code reaches the OS without audit events: `os.stat`, `os.readlink` and `os.access` reveal
  which files exist; a module's C functions that are not audited stay usable once imported
  (hence the import refusals below).

The boundary is the kernel's (`_sandbox_kernel.py`: Landlock, seccomp, resource limits) plus the
empty environment and the temporary working folder chosen by the parent.
"""

from __future__ import annotations

import _stat
import posix
import sys

TYPE_CHECKING = False  # `typing` costs the child milliseconds on every spec
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import Any

    Hook = Callable[[str, tuple[Any, ...]], None]
    Violation = tuple[str, int, int]  # message, line, column

# modules whose functions reach the OS without audit events of their own, and why they are out
BLOCKED_MODULES = {
    "_posixsubprocess": "may not run programs", "_multiprocessing": "may not run programs",
    "_posixshmem": "may not share memory", "_ctypes": "may not load native code",
    "ctypes": "may not load native code", "_testcapi": "may not use CPython's test hooks",
    "_testinternalcapi": "may not use CPython's test hooks",
    "_xxsubinterpreters": "may not start interpreters",
    "_xxinterpchannels": "may not start interpreters",
    "_dbm": "may not open databases", "_gdbm": "may not open databases",
    "_sqlite3": "may not open databases",
}  # fmt: skip
PROCESS = frozenset(
    {"subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork",
     "os.forkpty", "pty.spawn", "os.startfile", "_thread.start_new_thread"}
)  # fmt: skip
CHANGE = {
    "os.remove": "delete", "os.rmdir": "delete", "os.rename": "rename", "os.link": "link",
    "os.symlink": "link", "os.mkdir": "create", "os.truncate": "truncate", "os.chmod": "chmod",
    "os.chown": "chown", "os.utime": "touch", "os.chflags": "chflags", "os.lchflags": "chflags",
    "os.setxattr": "change", "os.removexattr": "change", "shutil.copyfile": "copy to",
    "shutil.copymode": "change", "shutil.copystat": "change", "shutil.copytree": "copy to",
    "shutil.rmtree": "delete", "shutil.move": "move", "shutil.chown": "chown",
    "shutil.make_archive": "write", "shutil.unpack_archive": "unpack",
    "tempfile.mkstemp": "create", "tempfile.mkdtemp": "create",
}  # fmt: skip
NETWORK = frozenset(
    {"socket.__new__", "socket.connect", "socket.bind", "socket.sendto", "socket.sendmsg",
     "socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyaddr", "socket.getnameinfo",
     "urllib.Request", "http.client.connect", "ftplib.connect", "smtplib.connect",
     "poplib.connect", "imaplib.open", "nntplib.connect", "telnetlib.Telnet.open",
     "webbrowser.open", "sqlite3.connect"}
)  # fmt: skip
OTHER = {
    "os.kill": "send signals", "os.killpg": "send signals", "signal.pthread_kill": "send signals",
    "resource.setrlimit": "change its resource limits", "resource.prlimit": "change limits",
    "sys.addaudithook": "add an audit hook", "sys.settrace": "trace code",
    "sys.setprofile": "trace code", "sys._current_frames": "inspect threads",
    "gc.get_objects": "walk the interpreter's objects", "gc.get_referrers": "walk references",
    "gc.get_referents": "walk references", "fcntl.ioctl": "issue ioctl calls",
    "sqlite3.enable_load_extension": "load native code",
    "sqlite3.load_extension": "load native code",
}  # fmt: skip
LISTING = frozenset({"os.listdir", "os.scandir", "os.listxattr", "os.getxattr"})
WRITE_FLAGS = posix.O_WRONLY | posix.O_RDWR | posix.O_CREAT | posix.O_TRUNC | posix.O_APPEND
_MAX_LINKS = 40


class Blocked(PermissionError):
    """An operation the sandbox refuses; the first one is reported even if the spec catches it."""


def make_hook(roots: Sequence[str], spec_path: str) -> tuple[Hook, Callable[[], Violation | None]]:
    """The hook, and a function that returns the first refusal (message, line, column)."""
    allowed = tuple(r.rstrip("/") + "/" for r in roots)
    first: list[Violation] = []
    judge = _judge_factory(allowed)
    where = _where_factory(spec_path)
    blocked, length = Blocked, len

    def hook(event: str, args: tuple[Any, ...]) -> None:
        message = judge(event, args)
        if message is not None:
            if not length(first):
                line, column = where()
                first.append((message, line, column))
            raise blocked(message)

    def violation() -> Violation | None:
        return first[0] if length(first) else None

    return hook, violation


def _judge_factory(allowed: tuple[str, ...]) -> Hook:
    """`judge(event, args)`: None to allow, or the refusal's message."""
    _type, _str, _bytes, _int, _len, _any, _os_error = type, str, bytes, int, len, any, OSError
    fspath, lstat, readlink, getcwd, is_link = (
        posix.fspath, posix.lstat, posix.readlink, posix.getcwd, _stat.S_ISLNK,
    )  # fmt: skip
    blocked_modules, process, change, network, other, listing = (
        dict(BLOCKED_MODULES), PROCESS, dict(CHANGE), NETWORK, dict(OTHER), LISTING,
    )  # fmt: skip
    write_flags, max_links = WRITE_FLAGS, _MAX_LINKS

    def text(value: Any) -> str | None:
        kind = _type(value)
        if kind is _str:
            return value  # type: ignore[no-any-return]
        if kind is _bytes:
            return value.decode("utf-8", "surrogateescape")  # type: ignore[no-any-return]
        try:
            value = fspath(value)  # a path object: asked once (see the module's docstring)
        except (TypeError, ValueError):
            return None
        return text(value) if _type(value) in (_str, _bytes) else None

    def shown(value: Any) -> str:
        found = text(value)
        if found is None:
            return f"a {_type(value).__name__}"
        return found if _len(found) <= 300 else found[:300] + "…"

    def resolve(path: str) -> str:
        """realpath, from C primitives only."""
        pending = (path if path.startswith("/") else getcwd() + "/" + path).split("/")[::-1]
        out: list[str] = []
        links = 0
        while pending:
            part = pending.pop()
            if part in ("", "."):
                continue
            if part == "..":
                if out:
                    out.pop()
                continue
            candidate = "/" + "/".join([*out, part])
            try:
                mode = lstat(candidate).st_mode
            except _os_error:
                out.append(part)
                continue
            if is_link(mode) and links < max_links:
                links += 1
                target = readlink(candidate)
                if target.startswith("/"):
                    out = []
                pending.extend(target.split("/")[::-1])
                continue
            out.append(part)
        return "/" + "/".join(out)

    def address(event: str, args: tuple[Any, ...]) -> str:
        if event == "socket.connect" and _len(args) > 1 and _type(args[1]) is tuple:
            return " to " + ":".join(shown(a) if _type(a) is _str else _str(a) for a in args[1])
        if event == "socket.getaddrinfo" and _len(args) > 1:
            return f" for {shown(args[0])}:{_str(args[1])}"
        return ""

    def readable(path: Any, verb: str) -> str | None:
        if _type(path) is _int or path is None:
            return None  # an open descriptor the sandbox gave, or the working folder
        found = text(path)
        if found is not None and (resolve(found).rstrip("/") + "/").startswith(allowed):
            return None
        return (
            f"the spec tried to {verb} {shown(path)}: Python specs may read only files in "
            "their own folder and Python's standard library"
        )

    def opening(args: tuple[Any, ...]) -> str | None:
        path = args[0]
        mode: Any = args[1] if _len(args) > 1 else None
        flags = args[2] if _len(args) > 2 else 0
        if _type(path) is _int:
            return None
        writes = (_type(mode) is _str and _any(c in mode for c in "wax+")) or (
            _type(flags) is _int and flags & write_flags
        )
        if writes:
            return f"the spec tried to write {shown(path)}: Python specs may not write files"
        return readable(path, "read")

    def judge(event: str, args: tuple[Any, ...]) -> str | None:
        if event == "open":
            return opening(args)
        if event in listing:
            return readable(args[0] if args else None, "list")
        if event == "import":
            name = args[0] if _type(args[0]) is _str else ""
            why = blocked_modules.get(name) or blocked_modules.get(name.split(".")[0])
            return f"the spec tried to import {name}: Python specs {why}" if why else None
        if event in process:
            return f"the spec tried to start a process ({event}): Python specs may not run programs"
        if event in change:
            target = shown(args[0]) if args else ""
            return f"the spec tried to {change[event]} {target}: Python specs may not change files"
        if event in network:
            return (
                f"the spec tried to use the network ({event}{address(event, args)}): "
                "Python specs may not use the network"
            )
        if event.startswith("ctypes."):
            return f"the spec tried to use ctypes ({event}): Python specs may not load native code"
        if event in other:
            return f"the spec tried to {other[event]} ({event}): not allowed in a Python spec"
        return None

    return judge  # type: ignore[return-value]


def _where_factory(spec_path: str) -> Callable[[], tuple[int, int]]:
    """The line and column being run in the innermost frame of the spec file."""
    getframe, enumerate_ = sys._getframe, enumerate

    def where() -> tuple[int, int]:
        frame = getframe(1)
        while frame is not None and frame.f_code.co_filename != spec_path:
            frame = frame.f_back  # type: ignore[assignment]
        if frame is None:
            return 0, 0
        for i, (line, _, col, _) in enumerate_(frame.f_code.co_positions()):
            if i == frame.f_lasti // 2 and line is not None and col is not None:
                return line, col + 1
        return frame.f_lineno or 0, 0

    return where
