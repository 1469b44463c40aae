"""`katib-gitops schema`: the JSON Schema of the spec format."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def register(sub: Any) -> None:
    s = sub.add_parser(
        "schema",
        help="print the JSON Schema of the YAML spec format",
        description="Print the JSON Schema of the YAML spec format. Editors use it through a "
        "first line such as `# yaml-language-server: $schema=../../schemas/spec.schema.json`.",
    )
    s.add_argument("-o", "--output", metavar="FILE", help="write it to FILE instead of stdout")
    s.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from compiler.schema import schema_text

    text = schema_text()
    if args.output:
        from compiler.commands.files import write_text

        write_text(args.output, text)
    else:
        sys.stdout.write(text)
    return 0
