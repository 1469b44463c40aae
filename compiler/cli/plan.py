"""`katib-gitops plan`: generated/ at a git revision (the committed tree, never a fresh compile)
against the live cluster: one action per experiment, and nothing changed.

Exit codes: 0 the plan was made (with --detailed-exitcode: and it changes nothing); 1 the
revision's generated/ is not what its specs compile to, or an action is blocked or foreign;
2 usage or unreadable input (kubeconfig, repository); 3 the cluster cannot be reached or
answers with an error (a missing CRD included); 4 with --detailed-exitcode: the plan has
changes to apply.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from compiler.cli import options

CHANGES = 4


def register(sub: Any) -> None:
    text = "show what apply would do: generated/ at a revision against the cluster"
    c = sub.add_parser(
        "plan", help=text, description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    options.root(c)
    options.revision(c)
    options.connection(c)
    options.output(c)
    c.add_argument(
        "--detailed-exitcode",
        action="store_true",
        help=f"exit {CHANGES} when the plan has changes (0 when it has none)",
    )
    options.configmaps(c)
    c.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from compiler.cli.planview import error, outcome_json, plan_text
    from compiler.commands.cluster import Connection, plan

    out = plan(
        Path(args.root),
        Connection(args.kubeconfig, args.context, request_timeout=args.request_timeout),
        revision=args.revision,
        configmaps=args.configmap,
    )
    if out.error is not None:
        if args.output == "json":
            sys.stdout.write(outcome_json(out))
        return error(out)
    assert out.plan is not None
    sys.stdout.write(
        outcome_json(out) if args.output == "json" else plan_text(out.plan, out.revision)
    )
    if out.plan.stuck:
        return 1
    return CHANGES if args.detailed_exitcode and out.plan.changes else 0
