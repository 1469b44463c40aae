"""The child side of the Python-spec sandbox: run one spec, send back its experiments as JSON.

Started by `compiler.load.python_spec` as `python -s -S -P -B -u -X utf8 <this file> <config>`,
with an empty environment, a fresh temporary working folder, stdout and stderr on one pipe
(the spec's prints) and a separate pipe for the report. It loads `compiler.dsl` by path (nothing
else of `compiler` is importable), reads and compiles the spec, then, before a line of the spec
runs: lowers its resource limits, applies Landlock and seccomp (`_sandbox_kernel.py`), installs
the audit hook (`_sandbox_hook.py`) and arms a timer. The report is one JSON object written to
the report pipe; then the process ends with `os._exit`, so nothing the spec registered (atexit
handlers, threads) runs.
"""

from __future__ import annotations

import builtins
import importlib.util
import json
import os
import signal
import sys
import types

TYPE_CHECKING = False  # `typing` costs the child milliseconds on every spec
if TYPE_CHECKING:
    from typing import Any

    Report = dict[str, Any]
_HERE = os.path.dirname(os.path.abspath(__file__))  # noqa: PTH100, PTH120 - no pathlib here


class SpecTimeout(BaseException):
    """The spec's time is up (a BaseException, so `except Exception` in the spec cannot eat it)."""


def main(argv: list[str]) -> None:
    config = json.loads(argv[1])
    try:
        report = run(config)
    except BaseException as exc:
        message = f"the spec's experiments could not be reported: {type(exc).__name__}: {exc}"
        report = _error("SPEC-PYTHON-INTERNAL", message[:2000])
    try:
        data = json.dumps(report, ensure_ascii=False, allow_nan=False).encode()
    except ValueError as exc:  # what the DSL let through and JSON cannot write
        message = f"the spec's experiments could not be reported: {exc}"
        data = json.dumps(_error("SPEC-PYTHON-INTERNAL", message[:2000])).encode()
    if len(data) > config["max_bytes"]:
        data = json.dumps(_too_big(len(data), config["max_bytes"])).encode()
    _write_all(config["fd"], data)
    os._exit(0)


def run(config: dict[str, Any]) -> Report:
    path = config["spec"]
    package = os.path.join(os.path.dirname(_HERE), "dsl", "__init__.py")  # noqa: PTH118, PTH120
    dsl = _load("compiler.dsl", package)
    with open(path, "rb") as handle:  # noqa: PTH123
        source = handle.read()
    kernel = _load("_katib_gitops_sandbox_kernel", os.path.join(_HERE, "_sandbox_kernel.py"))  # noqa: PTH118
    layers: list[str] = kernel.limit_resources(config["memory"], config["cpu_seconds"])
    try:
        code = compile(source, path, "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as exc:
        return _syntax_error(exc)
    roots = _read_roots(path)
    hooks = _load("_katib_gitops_sandbox_hook", os.path.join(_HERE, "_sandbox_hook.py"))  # noqa: PTH118
    if config["kernel"]:
        layers += kernel.confine([*roots, *(r for r in kernel.SYSTEM_LIBRARIES if _exists(r))])
    violation = _no_violation
    if config["audit_hook"]:
        hook, violation = hooks.make_hook(roots, path)
        sys.addaudithook(hook)
        del hook, hooks
        layers.append("audit-hook")
    dsl._prepare(path, source)
    failure = _execute(code, path, config["timeout"])
    blocked = violation()
    if blocked is not None:
        failure = _error("SPEC-PYTHON-BLOCKED", blocked[0], _BLOCKED_HINT)
        failure["line"], failure["column"] = blocked[1], blocked[2]
    if failure is not None:
        if not failure.pop("characters", False):
            failure["column"] = _char_column(source, failure["line"], failure["column"])
        return {**failure, "layers": layers}
    return _experiments(dsl, config, layers)


_BLOCKED_HINT = (
    "a Python spec only declares experiments: it runs without files, processes, network or "
    "the environment's secrets"
)


def _no_violation() -> None:
    return None


def _load(name: str, path: str) -> Any:
    """A module by path. `compiler.dsl` is registered as the only part of `compiler` a spec
    can import (a package, from its `__init__.py`: it imports its own modules, found beside it,
    before the spec is confined); the sandbox's own modules stay out of sys.modules."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    if name == "compiler.dsl":
        package = types.ModuleType("compiler")
        package.__path__ = []
        package.dsl = module  # type: ignore[attr-defined]
        sys.modules["compiler"] = package
        sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _exists(path: str) -> bool:
    return os.path.exists(path)  # noqa: PTH110


def _char_column(source: bytes, line: int, column: int) -> int:
    """Python reports columns as UTF-8 byte offsets; editors count characters."""
    lines = source.splitlines()
    if column <= 0 or not 0 < line <= len(lines):
        return column
    return len(lines[line - 1][: column - 1].decode("utf-8", "replace")) + 1


def _read_roots(spec_path: str) -> list[str]:
    """What a spec may read: its own folder, Python's standard library, its working folder.
    Never a repository's top folder (a spec given by path from there): CI checkouts keep the
    token in .git/config, so there the spec may read only itself."""
    folder = os.path.dirname(spec_path)  # noqa: PTH120
    own = spec_path if _exists(os.path.join(folder, ".git")) else folder  # noqa: PTH118
    roots = [own, os.getcwd(), *sys.path]  # noqa: PTH109
    return sorted({os.path.realpath(r) for r in roots if r and _exists(r)})


# ---------------------------------------------------------------- running the spec


def _execute(code: types.CodeType, path: str, timeout: float) -> Report | None:
    """Run the spec's code; a failure becomes a located report."""

    def time_is_up(signum: int, frame: types.FrameType | None) -> None:
        raise SpecTimeout

    builtins.exit = builtins.quit = sys.exit  # type: ignore[assignment] # -S leaves them out
    main_module = types.ModuleType("__main__")  # the spec's own; this file is not reachable
    main_module.__file__ = path
    sys.modules["__main__"] = main_module
    saved = dict(builtins.__dict__)  # what the report needs, whatever the spec rebinds
    signal.signal(signal.SIGALRM, time_is_up)
    caught: BaseException | None = None
    try:
        try:
            signal.setitimer(signal.ITIMER_REAL, timeout)
            exec(code, main_module.__dict__)  # noqa: S102 - this is the sandbox
        finally:  # disarmed before anything else, so the alarm cannot hit our own code
            signal.setitimer(signal.ITIMER_REAL, 0)
    except BaseException as exc:
        caught = exc
    builtins.__dict__.update(saved)
    return None if caught is None else _failure(caught, path, timeout)


def _failure(exc: BaseException, path: str, timeout: float) -> Report | None:
    if isinstance(exc, SystemExit):
        if exc.code in (None, 0):
            return None
        return _located(exc, path, "SPEC-PYTHON-EXIT", f"the spec called exit({exc.code!r})")
    if isinstance(exc, SpecTimeout):
        message = f"the spec did not finish within {timeout:g} s"
        return _located(exc, path, "SPEC-PYTHON-TIMEOUT", message, "is there an endless loop?")
    if isinstance(exc, MemoryError):
        message = "the spec ran out of memory (the limit is its address space)"
        return _located(exc, path, "SPEC-PYTHON-MEMORY", message)
    return _exception(exc, path)


def _exception(exc: BaseException, path: str) -> Report:
    position = getattr(exc, "position", None)
    if type(exc).__name__ == "SpecError" and type(exc).__module__ == "compiler.dsl":
        report = _located(exc, path, "SPEC-PYTHON-DATA", _text(exc))
        if position and position[0]:
            report["line"], report["column"] = position
            report["characters"] = True  # the DSL counts characters already
        return report
    return _located(exc, path, "SPEC-PYTHON-ERROR", f"{type(exc).__name__}: {_text(exc)}")


def _text(exc: BaseException) -> str:
    try:
        text = str(exc)
    except BaseException:
        text = "(the exception cannot be shown)"
    return text if len(text) <= 2000 else text[:2000] + "…"


def _located(exc: BaseException, path: str, code: str, message: str, hint: str = "") -> Report:
    """A report at the innermost frame of the spec file in the traceback; the spec's outer
    frames (never ours) go into the hint."""
    frames = []
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == path:
            frames.append((tb.tb_frame.f_code, tb.tb_lasti, tb.tb_lineno))
        tb = tb.tb_next
    report = _error(code, message, hint)
    if frames:
        code_obj, lasti, lineno = frames[-1]
        report["line"], report["column"] = _position(code_obj, lasti, lineno or 0)
        outer = [f"line {line} in {c.co_name}" for c, _, line in reversed(frames[:-1])]
        if outer:
            called = "called from " + ", ".join(outer)
            report["hint"] = f"{hint}; {called}" if hint else called
    return report


def _position(code: types.CodeType, lasti: int, lineno: int) -> tuple[int, int]:
    for i, (line, _, col, _) in enumerate(code.co_positions()):
        if i == lasti // 2:
            if line is not None and col is not None:
                return line, col + 1
            break
    return lineno, 0


def _syntax_error(exc: SyntaxError | ValueError) -> Report:
    if isinstance(exc, SyntaxError):
        report = _error("SPEC-PYTHON-SYNTAX", f"{type(exc).__name__}: {exc.msg}")
        report["line"], report["column"] = exc.lineno or 0, exc.offset or 0
        return report
    return _error("SPEC-PYTHON-SYNTAX", f"the file cannot be compiled: {exc}")


def _experiments(dsl: Any, config: dict[str, Any], layers: list[str]) -> Report:
    found = dsl.declared()
    if len(found) > config["max_experiments"]:
        message = f"the spec declares {len(found)} experiments; at most {config['max_experiments']}"
        return _error("SPEC-PYTHON-DATA", message)
    return {"ok": True, "layers": layers, "experiments": [d.to_json() for d in found]}


def _error(code: str, message: str, hint: str = "") -> Report:
    return {"ok": False, "code": code, "message": message, "hint": hint, "line": 0, "column": 0}


def _too_big(size: int, limit: int) -> Report:
    message = f"the spec's experiments take {size} bytes as JSON; at most {limit}"
    return _error("SPEC-PYTHON-DATA", message, "split the spec into several files")


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
    os.close(fd)


if __name__ == "__main__":
    try:
        main(sys.argv)
    finally:  # only if the spec broke what main needs: no traceback of ours
        os._exit(70)
