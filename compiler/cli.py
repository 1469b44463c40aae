"""The command line: parse arguments, call one command, print, map to an exit code."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from compiler import __version__
from compiler.errors import KatibGitopsError


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="katib-gitops",
        description="Compile, check and run Kubeflow Katib experiments from concise specs.",
    )
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    a = sub.add_parser(
        "admit",
        help="default and validate Katib Experiment manifests as Katib's webhooks would",
        description="Admit raw Katib Experiment manifests as Katib's admission webhooks would: "
        "default them, then validate them. Exit 0 if all are allowed, 1 if any is rejected, "
        "2 for unreadable input.",
    )
    a.add_argument("files", nargs="+", metavar="FILE")
    a.add_argument("-o", "--output", choices=("json", "yaml"), help="machine-readable output")
    a.add_argument("--old", metavar="OLD.yaml", help="validate as an UPDATE of this stored object")
    a.add_argument("--katib-config", metavar="FILE", help="the cluster's katib-config")
    a.add_argument(
        "--configmap",
        action="append",
        default=[],
        metavar="FILE",
        help="a ConfigMap holding trial templates (repeatable)",
    )
    a.add_argument(
        "--strict",
        action="store_true",
        help="also reject experiments Katib admits but would hang or fail at run time",
    )
    a.add_argument(
        "--unlabelled-namespace",
        action="store_true",
        help="assume the namespace lacks Katib's injection label (Katib then rejects, H-2)",
    )
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "admit":
            return _admit(args)
    except KatibGitopsError as exc:
        print(f"katib-gitops: {exc}", file=sys.stderr)
        hint = getattr(exc, "hint", "")
        if hint:
            print(f"    hint: {hint}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    return 2


def _admit(args: argparse.Namespace) -> int:
    from compiler import commands
    from compiler.yamlout import dump

    run = commands.admit_files(
        args.files,
        old=args.old,
        katib_config=args.katib_config,
        configmaps=args.configmap,
        strict=args.strict,
        namespace_labelled=not args.unlabelled_namespace,
    )
    out = sys.stdout
    for result in run.results:
        if args.output == "json":
            out.write(json.dumps(commands.admit_json(result), separators=(",", ":")) + "\n")
        elif args.output == "yaml":
            if result.admission and result.admission.object is not None:
                out.write("---\n" + dump(result.admission.object))
            _print_problems(result, sys.stderr)
        else:
            _print_problems(result, out)
    return run.exit_code


def _print_problems(result: object, stream: object) -> None:
    from compiler.commands import AdmitResult

    assert isinstance(result, AdmitResult)
    write = stream.write  # type: ignore[attr-defined]
    if result.problem is not None:
        write(f"{result.problem}\n")
        if result.problem.hint:
            write(f"    hint: {result.problem.hint}\n")
        return
    a = result.admission
    assert a is not None
    for d in (*a.errors, *a.warnings):
        write(d.render() + "\n")
    name = (a.object or {}).get("metadata", {}).get("name", "?")
    verdict = "allowed" if a.allowed else "REJECTED"
    write(
        f"{result.file}: experiment {name}: {verdict} "
        f"({len(a.errors)} errors, {len(a.warnings)} warnings)\n"
    )
