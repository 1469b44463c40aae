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

# pydantic looks for plugins through package metadata on first use (~10 ms at every start);
# the command line uses none.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

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


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="katib-gitops",
        description="Compile, check and run Kubeflow Katib experiments from concise specs.",
    )
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMANDS:
        module.register(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
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
    return code
