"""`katib-gitops compile` and `katib-gitops validate`."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from compiler.cli import options


def register(sub: Any) -> None:
    for name, text in (
        ("compile", "compile specs/ into generated/ (or --check that it is up to date)"),
        ("validate", "check specs without writing anything"),
    ):
        c = sub.add_parser(name, help=text, description=text)
        c.add_argument(
            "paths", nargs="*", metavar="PATH", help="spec files or folders (default: specs/)"
        )
        options.root(c)
        options.katib_config(c)
        options.configmaps(c)
        c.add_argument("-o", "--output", choices=("text", "json"), default="text")
        c.add_argument(
            "--no-cache",
            action="store_true",
            help="compile every spec again (ignore .state/compile-cache/; same output)",
        )
        if name == "compile":
            c.add_argument(
                "--check",
                action="store_true",
                help="exit 1 with a diff when generated/ is out of date",
            )
        c.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from compiler.commands import compile as commands
    from compiler.commands.common import diagnostic_json

    root = Path(args.root)
    run = commands.compile_specs(
        root,
        args.paths,
        katib_config=args.katib_config,
        configmaps=args.configmap,
        cluster=args.cluster,
        cache=not args.no_cache,
    )
    if args.command == "compile":
        commands.compile_to(run, root / "generated", check=args.check)
    diags = run.diagnostics
    if args.output == "json":
        sys.stdout.write(
            json.dumps(
                {
                    "katibConfig": run.katib.as_json() if run.katib else None,
                    "diagnostics": [diagnostic_json(d) for d in diags],
                    "experiments": [
                        {"source": c.source, "name": c.name, "revision": c.revision, "ok": c.ok}
                        for c in run.compiled
                    ],
                    "diff": "".join(run.diff),
                },
                indent=2,
            )
            + "\n"
        )
    else:
        for d in diags:
            sys.stderr.write(d.render() + "\n")
        sys.stdout.write("".join(run.diff))
        _summary(args, run)
    if run.has_errors or run.diff:
        return 1
    return 0


def _summary(args: argparse.Namespace, run: object) -> None:
    from compiler.commands.compile import CompileRun
    from compiler.model.diagnostics import Severity

    assert isinstance(run, CompileRun)
    errors = sum(d.severity == Severity.ERROR for d in run.diagnostics)
    warnings = sum(d.severity == Severity.WARNING for d in run.diagnostics)
    n = len(run.compiled)
    head = f"{n} experiment{'s' if n != 1 else ''}: {errors} errors, {warnings} warnings"
    if errors:
        note = "; nothing written" if args.command == "compile" and not args.check else ""
        print(f"{head}{note}", file=sys.stderr)
    elif args.command == "compile" and args.check:
        print(
            f"{head}; generated/ is " + ("OUT OF DATE" if run.diff else "up to date"),
            file=sys.stderr,
        )
    elif args.command == "compile" and run.written is not None:
        w = run.written
        print(
            f"{head}; generated/: {len(w.written)} written, {len(w.removed)} removed, "
            f"{w.unchanged} unchanged",
            file=sys.stderr,
        )
    else:
        print(head, file=sys.stderr)
