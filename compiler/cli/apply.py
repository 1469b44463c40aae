"""`katib-gitops apply`: carry out the plan of generated/ at a git revision.

Server-side apply with one field manager (katib-gitops). A replace first commits the old
revision's report, then deletes the old revision and creates the new one; a retire (a spec
removed from Git, or a superseded revision) happens only with --prune, after its report is
committed. Objects we do not own are never modified or deleted.

Exit codes: 0 everything was applied (or nothing was needed); 1 the revision is refused, or an
action is blocked, foreign or refused by the cluster (Katib's webhook); 2 usage or unreadable
input; 3 the cluster cannot be reached or answers with an error.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from compiler.cli import options


def register(sub: Any) -> None:
    text = "apply generated/ at a revision to the cluster (reports are committed first)"
    c = sub.add_parser(
        "apply",
        help=text,
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    options.root(c)
    options.revision(c)
    options.connection(c)
    options.output(c)
    c.add_argument(
        "--dry-run",
        choices=["none", "server"],
        default="none",
        help="server: send every change with dryRun, so that Katib's webhook judges the plan",
    )
    c.add_argument(
        "--prune", action="store_true", help="delete retired experiments (after their reports)"
    )
    c.add_argument("--push", action="store_true", help="push report commits to the upstream")
    options.configmaps(c)
    c.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from compiler.cli.planview import error, outcome_json, plan_text
    from compiler.commands.cluster import Connection, apply

    out = apply(
        Path(args.root),
        Connection(args.kubeconfig, args.context, request_timeout=args.request_timeout),
        revision=args.revision,
        dry_run=args.dry_run == "server",
        prune=args.prune,
        push=args.push,
        configmaps=args.configmap,
        log=lambda line: print(line, file=sys.stderr),
    )
    if args.output == "json":
        sys.stdout.write(outcome_json(out))
    elif out.plan is not None:
        sys.stdout.write(plan_text(out.plan, out.revision, out.changes))
    if out.error is not None:
        return error(out)
    assert out.plan is not None and out.changes is not None
    return 1 if out.plan.stuck or out.changes.count("failed") else 0
