"""The command line: parse arguments, call one command, print, map to an exit code.

Each command is a module here with `register(subparsers)` and `run(args) -> int`; commands
import their work lazily so that `--help` and light commands start fast.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from types import ModuleType

from compiler import __version__
from compiler.cli import (
    admit,
    apply,
    check,
    compile,
    diff,
    gitops,
    imports,
    plan,
    policy,
    reconcile,
    render_trial,
    run,
    schema,
)
from compiler.errors import KatibGitopsError


def _without_pydantic_plugins() -> None:
    """No third-party pydantic plugins: they would run on every spec we validate, and specs
    are untrusted input. pydantic documents PYDANTIC_DISABLE_PLUGINS (`__all__`, `1`,
    `true`), but its loader module imports importlib.metadata (and email, zipfile...) before
    it reads the variable: ~13 ms of every start. So, with plugins disabled, the loader is
    one that finds none (its one function, `get_plugins`). A user who sets the variable to a
    list of plugin names gets pydantic's own loader. Any other name asked of the stand-in
    (a later pydantic may import more from it) brings pydantic's loader back."""
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    disabled = os.environ["PYDANTIC_DISABLE_PLUGINS"] in ("__all__", "1", "true")
    if disabled and _LOADER not in sys.modules:
        loader = ModuleType(_LOADER, "pydantic's plugin loader, with plugins disabled")
        loader.__dict__["get_plugins"] = _no_plugins
        loader.__dict__["__getattr__"] = _real_loader_attribute  # PEP 562
        sys.modules[_LOADER] = loader


_LOADER = "pydantic.plugin._loader"


def _no_plugins() -> tuple[()]:
    return ()


def _real_loader_attribute(name: str) -> object:
    """A name the stand-in lacks: put pydantic's own loader in its place and read it there
    (it honours PYDANTIC_DISABLE_PLUGINS itself). Dunder names are module metadata that tools
    probe for; they do not need the real loader."""
    if name.startswith("__") and name.endswith("__"):
        raise AttributeError(f"module {_LOADER!r} has no attribute {name!r}")
    import importlib

    if getattr(sys.modules.get(_LOADER), "get_plugins", None) is _no_plugins:
        del sys.modules[_LOADER]
    return getattr(importlib.import_module(_LOADER), name)


_without_pydantic_plugins()  # before anything imports pydantic

COMMANDS: tuple[ModuleType, ...] = (
    admit,
    compile,
    check,
    policy,
    render_trial,
    schema,
    imports,
    run,
    diff,
    plan,
    apply,
    reconcile,
    gitops,
)


# The commands each module registers: a command line that starts with one of them needs only
# that module's parsers (building all thirteen is ~5 ms of every start).
NAMES: dict[str, ModuleType] = {
    "admit": admit,
    "compile": compile,
    "validate": compile,
    "check": check,
    "policy": policy,
    "render-trial": render_trial,
    "schema": schema,
    "import": imports,
    "run": run,
    "diff": diff,
    "plan": plan,
    "apply": apply,
    "reconcile": reconcile,
    "gitops": gitops,
}


def parser(command: str | None = None) -> argparse.ArgumentParser:
    """The whole command line, or (`command`) the part that parses that command: the same
    parse, the same help and errors, since the top-level usage names no command."""
    p = argparse.ArgumentParser(
        prog="katib-gitops",
        description="Compile, check and run Kubeflow Katib experiments from concise specs.",
    )
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    only = NAMES.get(command or "")
    for module in COMMANDS if only is None else (only,):
        module.register(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    given = list(sys.argv[1:] if argv is None else argv)
    args = parser(given[0] if given else None).parse_args(given)
    try:
        code: int = args.handler(args)
    except KatibGitopsError as exc:
        print(f"katib-gitops: {exc}", file=sys.stderr)
        hint = getattr(exc, "hint", "")
        if hint:
            print(f"    hint: {hint}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 1
    except Exception as exc:  # the last resort: every known cause is fixed where it arises
        if os.environ.get("KATIB_GITOPS_TRACEBACK") == "1":
            raise
        print(internal_error(exc), file=sys.stderr)
        return 3
    return code


def internal_error(exc: BaseException) -> str:
    """A bug of ours, in two lines: what, where in our code, and how to report it."""
    import traceback

    ours = [f for f in traceback.extract_tb(exc.__traceback__) if "/compiler/" in f.filename]
    where = f"{ours[-1].filename.rsplit('/compiler/', 1)[-1]}:{ours[-1].lineno}" if ours else "?"
    return (
        f"katib-gitops: internal error: {type(exc).__name__}: {exc} (at compiler/{where})\n"
        "    hint: this is a bug in katib-gitops, not in your input; please report it with the "
        "input and this line (KATIB_GITOPS_TRACEBACK=1 shows the traceback)"
    )
