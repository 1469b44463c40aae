"""`katib-gitops reconcile [--once | --watch] [--observe-only] [--prune] [--push]`: keep the
cluster at generated/ and commit what the experiments did into reports/.

One pass: fetch and fast-forward the repository; check that generated/ is what its specs
compile to; plan and apply it (not with --observe-only, when ArgoCD or Flux applies); observe
the experiments we own and their Trials; write reports/ and make one commit when anything
changed; with --push, push (a non-fast-forward is fetched, rebased and retried). --watch runs
passes as the cluster changes, commits at most every --commit-interval seconds, and serves
/healthz, /readyz and /metrics on --listen. SIGTERM finishes the pass, commits and pushes.

Exit codes (--once, and --watch when it stops on an error): 0 the pass succeeded; 1 the
revision is refused, or an action is blocked, foreign or refused by the cluster; 2 usage or
unreadable input (kubeconfig, a dirty or diverged repository); 3 the cluster cannot be reached
or answers with an error; 130 interrupted.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from compiler.cli import options


def register(sub: Any) -> None:
    text = "apply generated/ and commit the experiments' results into reports/ (once or watching)"
    c = sub.add_parser(
        "reconcile",
        help=text,
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    mode = c.add_mutually_exclusive_group()
    mode.add_argument("--once", action="store_true", help="one pass, then exit (the default)")
    mode.add_argument("--watch", action="store_true", help="run until SIGTERM")
    c.add_argument(
        "--observe-only",
        action="store_true",
        help="do not apply (ArgoCD or Flux does); still observe, report and, with --prune, retire",
    )
    c.add_argument("--prune", action="store_true", help="delete retired experiments, reports first")
    c.add_argument("--push", action="store_true", help="push report commits to the upstream")
    c.add_argument(
        "--repo", "--root", dest="root", default=".", help="the repository (a clone we own)"
    )
    c.add_argument("--clone-url", metavar="URL", help="clone it into --repo when absent")
    c.add_argument("--branch", help="the branch (default: the clone's)")
    c.add_argument("--remote", default="origin", help="the remote (default: origin)")
    c.add_argument(
        "--git-credentials",
        metavar="DIR",
        help="a mounted Secret: `token` (and `username`) for HTTPS, or `ssh-privatekey` and "
        "`known_hosts` for SSH",
    )
    options.connection(c)
    c.add_argument("--commit-interval", type=float, default=60.0, metavar="SECONDS")
    c.add_argument("--fetch-interval", type=float, default=60.0, metavar="SECONDS")
    c.add_argument("--resync", type=float, default=300.0, metavar="SECONDS")
    c.add_argument("--listen", metavar="ADDR", help="serve /healthz, /readyz, /metrics (:8080)")
    c.add_argument("--db-manager", metavar="ADDR", help="katib-db-manager, for metric history")
    options.output(c)
    options.configmaps(c)
    c.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    import signal
    import threading
    from pathlib import Path

    from compiler.cli.planview import error, outcome_json, plan_text
    from compiler.cluster.reconcile import Options
    from compiler.commands.cluster import Connection
    from compiler.commands.reconcile import Watch, once, prepare, watch

    for name in ("commit_interval", "fetch_interval", "resync"):
        if not getattr(args, name) > 0:  # NaN too: no interval would ever elapse
            print(f"katib-gitops: --{name.replace('_', '-')} must be > 0", file=sys.stderr)
            return 2
    root = Path(args.root)
    prepare(root, args.clone_url, args.branch, args.git_credentials)
    connection = Connection(args.kubeconfig, args.context, args.db_manager, args.request_timeout)
    opts = Options(
        observe_only=args.observe_only,
        prune=args.prune,
        push=args.push,
        remote=args.remote,
        branch=args.branch,
    )

    def log(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    if not args.watch:
        out = once(root, connection, opts, configmaps=args.configmap, log=log)
        if args.output == "json":
            sys.stdout.write(outcome_json(out))
        elif out.plan is not None:
            sys.stdout.write(plan_text(out.plan, out.revision, out.changes))
        if out.error is not None:
            return error(out)
        stuck = out.plan is not None and out.plan.stuck
        return 1 if stuck or (out.changes and out.changes.count("failed")) else 0
    stop = threading.Event()

    def on_signal(signum: int, frame: object) -> None:
        log(f"signal {signum}: finishing the pass, then commit and push")
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    settings = Watch(args.commit_interval, args.fetch_interval, args.resync, args.listen)
    out = watch(root, connection, opts, settings, stop, configmaps=args.configmap, log=log)
    return error(out) if out.error is not None and not out.ok else 0
