"""`katib-gitops admit`."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from compiler.cli import options


def register(sub: Any) -> None:
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
    options.katib_config(a)
    options.root(a, "the repository whose cluster profile gives the katib-config (default: .)")
    options.configmaps(a)
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
    a.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from compiler.commands.admit import admit_files, admit_json
    from compiler.yamlout import dump

    result_set = admit_files(
        args.files,
        old=args.old,
        katib_config=args.katib_config,
        configmaps=args.configmap,
        strict=args.strict,
        namespace_labelled=not args.unlabelled_namespace,
        root=Path(args.root),
        cluster=args.cluster,
    )
    for result in result_set.results:
        if args.output == "json":
            sys.stdout.write(json.dumps(admit_json(result), separators=(",", ":")) + "\n")
        elif args.output == "yaml":
            if result.admission and result.admission.object is not None:
                sys.stdout.write("---\n" + dump(result.admission.object))
            _problems(result, sys.stderr)
        else:
            _problems(result, sys.stdout)
    return result_set.exit_code


def _problems(result: Any, stream: Any) -> None:
    from compiler.commands.admit import AdmitResult

    assert isinstance(result, AdmitResult)
    if result.problem is not None:
        stream.write(f"{result.problem}\n")
        if result.problem.hint:
            stream.write(f"    hint: {result.problem.hint}\n")
        return
    a = result.admission
    assert a is not None
    for d in (*a.errors, *a.warnings):
        stream.write(d.render() + "\n")
    name = (a.object or {}).get("metadata", {}).get("name", "?")
    verdict = "allowed" if a.allowed else "REJECTED"
    stream.write(
        f"{result.file}: experiment {name}: {verdict} "
        f"({len(a.errors)} errors, {len(a.warnings)} warnings)\n"
    )
