"""`katib-gitops policy test` and `katib-gitops policy rules`."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from compiler.cli import options


def register(sub: Any) -> None:
    p = sub.add_parser(
        "policy",
        help="test the policies, or list the rules",
        description="Work with policies/: run its test cases, or list every rule.",
    )
    inner = p.add_subparsers(dest="policy_command", required=True, metavar="SUBCOMMAND")
    t = inner.add_parser(
        "test",
        help="run the policy test cases (policies/tests/<case>/)",
        description="Run each case (a spec.yaml and its expected.yaml) and compare "
        "the findings. Exit 0 when every case passes, 1 otherwise.",
    )
    t.add_argument("cases", nargs="*", metavar="CASE", help="case names (default: all)")
    options.root(t)
    t.add_argument("--builtin", action="store_true", help="run the built-in pack's own cases")
    t.add_argument("-v", "--verbose", action="store_true", help="also print each case's findings")
    t.set_defaults(handler=run_test)
    r = inner.add_parser("rules", help="list every rule with its rationale and fix (Markdown)")
    options.root(r)
    r.set_defaults(handler=run_rules)


def run_test(args: argparse.Namespace) -> int:
    from pathlib import Path

    from compiler.commands.check import policy_test
    from compiler.policy.outputs.text import line

    results = policy_test(Path(args.root), builtin=args.builtin, names=args.cases)
    for r in results:
        print(f"{'PASS' if r.passed else 'FAIL'} {r.case.folder}")
        for failure in r.failures:
            print(f"    {failure}")
        if args.verbose:
            for item in r.items:
                print("    | " + line(item).replace("\n", "\n    | "))
    failed = sum(not r.passed for r in results)
    print(f"{len(results) - failed} passed, {failed} failed")
    if not results:
        print("katib-gitops: no policy test cases found", file=sys.stderr)
    return 1 if failed or not results else 0


def run_rules(args: argparse.Namespace) -> int:
    from pathlib import Path

    from compiler.commands.check import rule_catalog
    from compiler.policy.outputs.catalog import render

    sys.stdout.write(render(rule_catalog(Path(args.root))))
    return 0
