"""`katib-gitops import`."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from compiler.cli import options

DESCRIPTION = """\
Turn Katib Experiment manifests into the shortest specs that compile back to exactly what
Katib stores for them (the same bytes as `admit -o yaml`). Katib's defaults are left out,
placeholders become ${name}, jobs become the short trial forms where they say the same, and
each part falls back to a rawer form until the compiled object matches.

The namespace is left out when it is the namespace of the folder the spec goes to
(specs/<namespace>/...): --namespace-folder, else the folder -o writes into under specs/,
else the manifest's own namespace.

Other documents in FILE are skipped with a note; a ConfigMap among them serves as a trial
template, as do --configmap files. Server-set metadata (uid, resourceVersion, managedFields,
finalizers, kubectl's last-applied annotation, ...) and status are left out with a note.

A manifest Katib rejects is still imported, so that it can be fixed in the spec: Katib's
errors are printed on stderr as warnings and the exit code is 1. Exit codes: 0 every
experiment imported and compiling back exactly; 1 Katib rejects a manifest, or a spec does
not compile back exactly (a gap in the spec format: please report it); 2 unreadable input,
no Experiment, or an existing -o file without --force."""


def register(sub: Any) -> None:
    p = sub.add_parser(
        "import",
        help="turn Katib Experiment manifests into short specs",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("file", metavar="FILE", help="a Katib Experiment manifest (YAML)")
    p.add_argument(
        "-o",
        "--output",
        metavar="PATH",
        help="write the spec here (e.g. specs/<namespace>/<name>.yaml; .py implies --python) "
        "instead of stdout",
    )
    p.add_argument("--force", action="store_true", help="overwrite an existing -o file")
    p.add_argument(
        "--python", action="store_true", help="write a Python spec (compiler.dsl) instead of YAML"
    )
    p.add_argument(
        "--namespace-folder",
        metavar="NAME",
        help="the namespace of the spec's folder; a manifest in another namespace keeps "
        "`namespace:` (default: the folder of -o under specs/, else the manifest's namespace)",
    )
    p.add_argument(
        "--schema-url",
        metavar="URL",
        help="the JSON Schema named in the YAML's `# yaml-language-server` line "
        "(default: ../../schemas/spec.schema.json, or the path from -o to schemas/; '' for none)",
    )
    options.katib_config(p)
    options.root(p, "the repository whose cluster profile gives the katib-config (default: .)")
    options.configmaps(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from compiler.commands.imports import import_file
    from compiler.errors import UsageError

    out = Path(args.output) if args.output else None
    if out is not None and out.exists() and not args.force:
        raise UsageError(f"{out} exists; pass --force to overwrite it")
    python = args.python or (out is not None and out.suffix == ".py")
    result = import_file(
        args.file,
        output=args.output,
        folder=args.namespace_folder,
        python=python,
        schema_url=args.schema_url,
        katib_config=args.katib_config,
        configmaps=args.configmap,
        root=Path(args.root),
        cluster=args.cluster,
    )
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    for d in result.katib_findings():
        print(d.render(), file=sys.stderr)
    for one in result.rejected:
        print(
            f"{one.file}: experiment {one.name}: Katib rejects this manifest; imported anyway, "
            "fix it in the spec",
            file=sys.stderr,
        )
    for one in result.inexact:
        print(
            f"{one.file}: experiment {one.name}: error: the spec does not compile back to what "
            f"Katib stores (differs at {', '.join(one.found.differing) or 'the written text'})",
            file=sys.stderr,
        )
    if out is None:
        sys.stdout.write(result.text)
    else:
        if out.parent != Path():
            out.parent.mkdir(parents=True, exist_ok=True)
        try:
            with out.open("w" if args.force else "x", encoding="utf-8", newline="\n") as f:
                f.write(result.text)
        except FileExistsError:
            raise UsageError(f"{out} exists; pass --force to overwrite it") from None
        print(f"wrote {out}", file=sys.stderr)
    return result.exit_code
