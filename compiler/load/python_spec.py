"""Python specs: run in a separate, contained process; their experiments come back as data.

A Python spec is untrusted code: CI runs the specs of fork pull requests. It runs in a child
process (`_sandbox_child.py`) and only JSON comes back, over a pipe of its own (never pickle).

What contains it, outermost first:
- the parent: a wall-clock timeout that kills the child's whole process group; an environment
  built from nothing (PATH, LANG, LC_ALL, PYTHONHASHSEED=0, PYTHONDONTWRITEBYTECODE=1), so no
  token, cloud credential or KUBECONFIG of ours is there to read; a fresh temporary working
  folder; `python -s -S -P -B` (everything `-I` does except ignoring the environment, which we
  build ourselves: `-E` would also drop PYTHONHASHSEED, and set order must not vary between
  runs; no site-packages, so `compiler.dsl`, loaded by path, is all of ours it can import);
  size limits on what comes back (8 MiB, 1,000 experiments, 64 nesting levels) and on the
  prints shown (64 KiB; the rest is read and dropped, so printing cannot block or flood us);
- the kernel, applied by the child to itself before the spec's first line and irreversible:
  resource limits (1 GiB address space, CPU seconds, file size 0, 64 open files, no core
  dumps, no processes, though root is exempt from that one), and where the kernel has them
  Landlock (read-only file system, readable only beneath the spec's folder, the standard
  library and the system's shared libraries; only the spec itself when its folder is a
  repository's top, whose .git/config may hold CI's token; no TCP; no signals or ptrace out
  of the sandbox)
  and seccomp (no fork, clone, exec, sockets, ptrace, io_uring, namespaces, mount or bpf,
  for root too); the child applies these itself (no `preexec_fn`, which is unsafe in a
  threaded parent) and runs in its own process group;
- an audit hook (`_sandbox_hook.py`) that refuses the same things with a message naming the
  operation and the spec's line, and that also covers kernels without Landlock or seccomp.

What this does not stop: an audit hook lives in the process it watches, so Python code can
fool it (see `_sandbox_hook.py`); it cannot hide `os.stat` (which files exist) and the kernel
layers do not either; without Landlock and seccomp (old kernels, some container runtimes) a
spec that gets past the hook can read what the user can read, delete files and connect out
(the resource limits still hold: no file can grow, no process can start unless we are root).
For a real boundary on untrusted pull requests, also run CI without secrets in a throwaway
container or VM, as GitHub's `pull_request` (not `pull_request_target`) event does.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path as FsPath
from typing import IO, Any, TextIO

from compiler.errors import InputError
from compiler.load.files import read_bytes
from compiler.load.specs import SpecFile
from compiler.model.source import Document, Location, Path
from compiler.yamlsafe import DEFAULT_LIMITS

DEFAULT_TIMEOUT = 10.0
_GRACE = 2.0  # the child stops the spec itself at the timeout; we kill it this much later
_CHILD = FsPath(__file__).with_name("_sandbox_child.py")
_FLAGS = ("-s", "-S", "-P", "-B", "-u", "-X", "utf8")
_ENV = {
    "PATH": os.defpath,
    "LANG": "C.UTF-8",
    "LC_ALL": "C.UTF-8",
    "PYTHONHASHSEED": "0",
    "PYTHONDONTWRITEBYTECODE": "1",
}


@dataclass(frozen=True)
class SandboxLimits:
    memory: int = 1 << 30  # address space, bytes
    report_bytes: int = 8 << 20  # the experiments as JSON
    experiments: int = 1000
    echo_bytes: int = 64 << 10  # the spec's prints kept and shown
    # Tests switch a layer off to show that the others hold on their own.
    audit_hook: bool = True
    kernel: bool = True


DEFAULT_SANDBOX = SandboxLimits()


@dataclass(frozen=True)
class SpecRun:
    documents: list[Document]
    output: str  # what the spec printed, truncated to `echo_bytes`
    output_bytes: int  # how much it printed in all
    layers: tuple[str, ...]  # the containment layers that were in place


def read_python_spec(
    spec: SpecFile,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    limits: SandboxLimits = DEFAULT_SANDBOX,
    echo: TextIO | None = None,
) -> list[Document]:
    """Run a Python spec in the sandbox: one Document per experiment it declares. What the spec
    prints goes to `echo` (default: stderr), indented and truncated."""
    return run_python_spec(spec, timeout=timeout, limits=limits, echo=echo).documents


def run_python_spec(
    spec: SpecFile,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    limits: SandboxLimits = DEFAULT_SANDBOX,
    echo: TextIO | None = None,
) -> SpecRun:
    _check_readable(spec)
    workdir = tempfile.mkdtemp(prefix="katib-gitops-spec-")
    try:
        result = _run_child(spec, workdir, timeout, limits)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    _echo(spec.rel, result, limits, echo if echo is not None else sys.stderr)
    return _interpret(spec, result, timeout, limits)


def _check_readable(spec: SpecFile) -> None:
    """Unreadable or oversized: refused before anything runs."""
    try:
        read_bytes(spec.path)
    except InputError as exc:
        exc.where = Location(spec.rel)
        exc.code = "SPEC-PYTHON-SIZE" if exc.code == "YAML-SIZE" else exc.code
        raise


@dataclass
class _Result:
    report: bytearray
    output: bytearray
    output_bytes: int = 0
    timed_out: bool = False
    overflow: bool = False
    returncode: int = 0


def _run_child(spec: SpecFile, workdir: str, timeout: float, limits: SandboxLimits) -> _Result:
    read_end, write_end = os.pipe()
    config = {
        "spec": str(spec.path.resolve()),
        "fd": write_end,
        "timeout": timeout,
        "cpu_seconds": math.ceil(timeout + _GRACE) + 1,  # a backstop: the wall clock comes first
        "memory": limits.memory,
        "max_bytes": limits.report_bytes,
        "max_experiments": limits.experiments,
        "audit_hook": limits.audit_hook,
        "kernel": limits.kernel,
    }
    try:
        proc = subprocess.Popen(  # noqa: S603 - our interpreter, our script, no shell
            [sys.executable, *_FLAGS, str(_CHILD), json.dumps(config)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=dict(_ENV),
            cwd=workdir,
            pass_fds=(write_end,),
            process_group=0,
        )
    except BaseException:
        os.close(read_end)
        raise
    finally:
        os.close(write_end)  # the child has its copy; ours would keep the pipe from ending
    try:
        return _collect(proc, read_end, time.monotonic() + timeout + _GRACE, limits)
    finally:
        _kill(proc)
        os.close(read_end)


def _collect(
    proc: subprocess.Popen[bytes], report_fd: int, deadline: float, limits: SandboxLimits
) -> _Result:
    """Read the report and the prints until both pipes close, the report grows too big, or
    time is up; keep only the first `echo_bytes` of the prints."""
    assert proc.stdout is not None
    result = _Result(bytearray(), bytearray())
    with selectors.DefaultSelector() as selector:
        selector.register(proc.stdout, selectors.EVENT_READ, "output")
        selector.register(report_fd, selectors.EVENT_READ, "report")
        while selector.get_map():
            left = deadline - time.monotonic()
            if left <= 0:
                result.timed_out = True
                break
            for key, _ in selector.select(left):
                if not _read_into(key, result, limits):
                    selector.unregister(key.fileobj)
            if result.overflow:
                break
    if not result.timed_out and not result.overflow:
        try:
            result.returncode = proc.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            result.timed_out = True
    return result


def _read_into(key: selectors.SelectorKey, result: _Result, limits: SandboxLimits) -> bool:
    """One read from a ready pipe; False at its end."""
    fd = key.fd
    chunk = os.read(fd, 1 << 16)
    if not chunk:
        return False
    if key.data == "report":
        result.report += chunk
        result.overflow = len(result.report) > limits.report_bytes
    else:
        result.output_bytes += len(chunk)
        room = limits.echo_bytes - len(result.output)
        if room > 0:
            result.output += chunk[:room]
    return True


def _kill(proc: subprocess.Popen[Any]) -> None:
    """Kill the child's process group (whatever it may have left behind), then the child."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        proc.kill()
    proc.wait()
    if proc.stdout is not None:
        proc.stdout.close()


# ---------------------------------------------------------------- what came back


def _interpret(spec: SpecFile, result: _Result, timeout: float, limits: SandboxLimits) -> SpecRun:
    here = Location(spec.rel)
    if result.timed_out:
        raise InputError(
            f"the spec did not finish within {timeout:g} s and was stopped",
            here,
            "is there an endless loop, or a very long computation?",
            code="SPEC-PYTHON-TIMEOUT",
        )
    if result.overflow:
        raise InputError(
            f"the spec's experiments are larger than {limits.report_bytes} bytes as JSON",
            here,
            "split the spec into several files",
            code="SPEC-PYTHON-DATA",
        )
    if not result.report:
        raise _died(here, result.returncode)
    report = _parse(result.report, here)
    if not report.get("ok"):
        raise _reported_error(spec.rel, report)
    documents = experiment_documents(spec.rel, report.get("experiments"), limits)
    output = result.output.decode("utf-8", "replace")
    layers = tuple(str(x) for x in report.get("layers", ()))
    return SpecRun(documents, output, result.output_bytes, layers)


def _died(here: Location, returncode: int) -> InputError:
    if returncode < 0:
        name = _signal_name(-returncode)
        if name == "SIGXCPU":
            return InputError(
                "the spec used up its CPU time and was stopped",
                here,
                "is there an endless loop, or a very long computation?",
                code="SPEC-PYTHON-TIMEOUT",
            )
        return InputError(
            f"the spec's process was killed by {name} before reporting its experiments",
            here,
            code="SPEC-PYTHON-CRASH",
        )
    return InputError(
        f"the spec's process exited with status {returncode} before reporting its experiments",
        here,
        "a spec must neither end its process (os._exit) nor change what the sandbox relies on",
        code="SPEC-PYTHON-EXIT",
    )


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _parse(raw: bytearray, here: Location) -> dict[str, Any]:
    try:
        report = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError):
        report = None
    if not isinstance(report, dict):
        raise InputError(
            "the spec's process sent back something that is not a report",
            here,
            "a spec must not write to the sandbox's file descriptors",
            code="SPEC-PYTHON-DATA",
        )
    return report


def _reported_error(rel: str, report: dict[str, Any]) -> InputError:
    line, column = report.get("line"), report.get("column")
    where = Location(
        rel, line if isinstance(line, int) else 0, column if isinstance(column, int) else 0
    )
    # the spec writes part of these (an exception's text): one line each, nothing hidden
    return InputError(
        _visible(str(report.get("message", "the spec failed"))),
        where,
        _visible(str(report.get("hint", ""))),
        code=_visible(str(report.get("code", "SPEC-PYTHON-ERROR"))),
    )


def experiment_documents(
    rel: str, experiments: Any, limits: SandboxLimits = DEFAULT_SANDBOX
) -> list[Document]:
    """The wire form of `compiler.dsl.Declared.to_json()` items → Documents, checked like any
    untrusted input (the sandbox's report, or the DSL run in-process by tests)."""
    here = Location(rel)
    if not isinstance(experiments, list) or not experiments:
        raise InputError(
            "the spec declares no experiments",
            here,
            "call compiler.dsl.experiment(...) once for each experiment",
            code="SPEC-PYTHON-EMPTY",
        )
    if len(experiments) > limits.experiments:
        raise InputError(
            f"the spec declares {len(experiments)} experiments; at most {limits.experiments}",
            here,
            code="SPEC-PYTHON-DATA",
        )
    return [_document(rel, i, e, here) for i, e in enumerate(experiments)]


def _document(rel: str, index: int, entry: Any, here: Location) -> Document:
    """One experiment: its data, checked like a parsed YAML document, and its locations."""
    if not isinstance(entry, dict) or not isinstance(entry.get("data"), dict):
        raise _malformed(here)
    _check_shape(entry["data"], here)
    values = _table(rel, entry.get("values"), here)
    return Document(
        entry["data"], rel, index, values=values, keys=_table(rel, entry.get("keys"), here)
    )


def _table(rel: str, rows: Any, here: Location) -> dict[Path, Location]:
    if not isinstance(rows, list):
        raise _malformed(here)
    table: dict[Path, Location] = {}
    for row in rows:
        if not (isinstance(row, list) and len(row) == 3 and isinstance(row[0], list)):
            raise _malformed(here)
        path, line, column = row
        if not all(isinstance(p, str | int) and not isinstance(p, bool) for p in path):
            raise _malformed(here)
        if not (isinstance(line, int) and isinstance(column, int)):
            raise _malformed(here)
        table[tuple(path)] = Location(rel, line, column)
    return table


def _check_shape(data: Any, here: Location) -> None:
    """The YAML loader's depth and size limits, applied to what a Python spec built."""
    stack = [(data, 1)]
    nodes = 0
    while stack:
        node, depth = stack.pop()
        nodes += 1
        if depth > DEFAULT_LIMITS.max_depth or nodes > DEFAULT_LIMITS.max_nodes:
            raise InputError(
                f"an experiment is deeper than {DEFAULT_LIMITS.max_depth} levels or larger than "
                f"{DEFAULT_LIMITS.max_nodes} values",
                here,
                code="SPEC-PYTHON-DATA",
            )
        if isinstance(node, dict):
            stack += [(v, depth + 1) for v in node.values()]
        elif isinstance(node, list):
            stack += [(v, depth + 1) for v in node]


def _malformed(here: Location) -> InputError:
    return InputError(
        "the spec's process sent back a malformed report", here, code="SPEC-PYTHON-DATA"
    )


# ---------------------------------------------------------------- the spec's prints


def _echo(rel: str, result: _Result, limits: SandboxLimits, out: IO[str]) -> None:
    """Show what the spec printed, each line indented (so that CI never reads a line of it as
    a command, e.g. GitHub's `::set-output`) and with control characters made visible."""
    if not result.output_bytes:
        return
    text = result.output.decode("utf-8", "replace")
    out.write(f"{rel}: the spec printed:\n")
    for line in text.splitlines():
        out.write("    " + _visible(line) + "\n")
    if result.output_bytes > len(result.output):
        more = result.output_bytes - len(result.output)
        out.write(f"    … {more} more bytes not shown (the first {limits.echo_bytes} are)\n")


def _visible(line: str) -> str:
    return "".join(
        c if c.isprintable() or c == "\t" else f"\\x{ord(c):02x}" if ord(c) < 256 else "?"
        for c in line
    )
