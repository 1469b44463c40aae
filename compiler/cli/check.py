"""`katib-gitops check`: validate the specs and run the policies; print the findings."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from compiler.cli import options

FORMATS = ("text", "json", "sarif", "github", "junit", "markdown")


def register(sub: Any) -> None:
    text = "validate specs and run the policies of policies/ (no manifests are written)"
    c = sub.add_parser(
        "check",
        help=text,
        description=text + ". Exit 0 when nothing fails, 1 "
        "when a finding at or above --fail-on is not waived, 2 for unreadable input.",
    )
    c.add_argument(
        "paths", nargs="*", metavar="PATH", help="spec files or folders (default: specs/)"
    )
    options.root(c)
    c.add_argument(
        "-f", "--format", choices=FORMATS, default="text", help="output format (default: text)"
    )
    c.add_argument(
        "--fail-on",
        choices=("error", "warning"),
        default="error",
        help="the lowest unwaived severity that fails the check (default: error)",
    )
    c.add_argument("--output", metavar="FILE", help="write the report to FILE instead of stdout")
    options.katib_config(c)
    options.configmaps(c)
    c.add_argument(
        "--no-cache", action="store_true", help="re-check every experiment (ignore .state/)"
    )
    c.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from compiler.commands.check import check
    from compiler.errors import UsageError
    from compiler.model.diagnostics import Severity
    from compiler.policy.outputs import render

    report, outcome = check(
        Path(args.root),
        args.paths,
        katib_config=args.katib_config,
        cluster=args.cluster,
        configmaps=args.configmap,
        fail_on=Severity(args.fail_on),
        use_cache=not args.no_cache,
    )
    text = render(report, args.format)
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot write --output {args.output}: {exc.strerror}") from None
    else:
        sys.stdout.write(text)
    if args.format != "text" or args.output:
        cached = (
            f" ({outcome.cached} of {outcome.checked} from the cache)" if outcome.cached else ""
        )
        print(report.summary() + cached, file=sys.stderr)
    print(
        f"katib-config: {report.katib_config.get('source')}; policies: {report.policies}",
        file=sys.stderr,
    )
    return report.exit_code
