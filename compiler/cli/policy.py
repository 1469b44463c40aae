"""`katib-gitops policy init`, `policy test` and `policy rules`."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from compiler.cli import options


def register(sub: Any) -> None:
    p = sub.add_parser(
        "policy",
        help="start, test the policies, or list the rules",
        description="Work with policies/: write a starting one, run its test cases, or list "
        "every rule.",
    )
    inner = p.add_subparsers(dest="policy_command", required=True, metavar="SUBCOMMAND")
    i = inner.add_parser(
        "init",
        help="write a starting policies/ (config, cluster profile, waivers)",
        description="Write policies/config.yaml (every built-in rule at its default), "
        "policies/cluster.yaml (Katib's default katib-config, to replace with the cluster's) "
        "and an empty policies/waivers.yaml. Until edited they change no finding, but compile "
        "now enforces the policies. Exit 2, writing nothing, when one of them exists.",
    )
    options.root(i)
    i.add_argument("--force", action="store_true", help="overwrite existing files")
    i.add_argument(
        "--cluster",
        metavar="NAME",
        help="write the profile as policies/clusters/NAME.yaml (a repository that targets "
        "several clusters; the commands then take --cluster NAME)",
    )
    i.set_defaults(handler=run_init)
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
    t.add_argument("--cluster", metavar="NAME", help="the cluster profile the cases run with")
    t.set_defaults(handler=run_test)
    r = inner.add_parser("rules", help="list every rule with its rationale and fix (Markdown)")
    options.root(r)
    r.set_defaults(handler=run_rules)


def run_test(args: argparse.Namespace) -> int:
    from pathlib import Path

    from compiler.commands.check import policy_test
    from compiler.policy.outputs.text import line

    results = policy_test(
        Path(args.root), builtin=args.builtin, names=args.cases, cluster=args.cluster
    )
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


def run_init(args: argparse.Namespace) -> int:
    from pathlib import Path

    from compiler.commands.policy_init import policy_init

    result = policy_init(Path(args.root), force=args.force, cluster=args.cluster)
    for path in result.written:
        print(f"wrote {path}", file=sys.stderr)
    print(
        "katib-gitops: `check` runs these policies and `compile` now enforces them; replace "
        "the cluster profile's katibConfig with your cluster's katib-config",
        file=sys.stderr,
    )
    return 0


def run_rules(args: argparse.Namespace) -> int:
    from pathlib import Path

    from compiler.commands.check import rule_catalog
    from compiler.policy.outputs.catalog import render

    sys.stdout.write(render(rule_catalog(Path(args.root))))
    return 0
