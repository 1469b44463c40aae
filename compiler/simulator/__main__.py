"""`python -m compiler.simulator --kubeconfig K [--repo R]`: play Katib's controllers against an
API server until SIGTERM or Ctrl-C. One log line per event on stderr."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from compiler.errors import KatibGitopsError
from compiler.simulator.context import Options, stderr_log

KATIB_USER_AGENT = "katib-controller/v0.19.0 (the katib-gitops simulator)"


def parse(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        prog="python -m compiler.simulator",
        description="A Katib simulator: Trials and statuses by Katib's rules, for tests and "
        "`make cluster` (not part of a deployment).",
    )
    ap.add_argument("--kubeconfig", required=True, help="the cluster to play Katib in")
    ap.add_argument("--context", help="a kubeconfig context (default: the current one)")
    ap.add_argument(
        "--repo", type=Path, help="the repository whose specs' `local:` commands run trials"
    )
    ap.add_argument(
        "--trial-seconds",
        type=float,
        default=0.5,
        help="how long a synthetic trial runs (default 0.5)",
    )
    ap.add_argument("--seed", type=int, default=0, help="the base of every experiment's seed")
    ap.add_argument(
        "--namespace",
        action="append",
        default=[],
        help="watch only this namespace (repeatable; default: all)",
    )
    ap.add_argument(
        "--state",
        type=Path,
        help="folder for local trials' logs (default: .state/simulator under --repo, or here)",
    )
    ap.add_argument("--workers", type=int, default=4, help="workers per controller (default 4)")
    ap.add_argument(
        "--selector",
        default="",
        help="only Experiments with these labels, e.g. team=a (for tests sharing a cluster)",
    )
    ap.add_argument("--ready-file", type=Path, help="written once everything is listed and watched")
    args = ap.parse_args(argv)
    if args.trial_seconds < 0:
        ap.error("--trial-seconds must not be negative")
    if args.workers < 1:
        ap.error("--workers must be at least 1")
    if args.repo is not None and not (args.repo / "specs").is_dir():
        ap.error(f"--repo {args.repo}: no specs/ folder there")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    state = args.state or ((args.repo or Path()) / ".state" / "simulator")
    options = Options(
        repo=args.repo,
        trial_seconds=args.trial_seconds,
        seed=args.seed,
        namespaces=tuple(args.namespace),
        state_dir=state.resolve(),
        workers=args.workers,
        selector=args.selector,
    )
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    try:
        from compiler.cluster.client import connect
        from compiler.simulator.controller import Simulator

        # as Katib's controller: its writes (finalizers, status) are recorded under its name
        cluster = connect(
            kubeconfig=args.kubeconfig, context=args.context, user_agent=KATIB_USER_AGENT
        )
        simulator = Simulator(cluster, options, stderr_log)
        simulator.start()
        if args.ready_file is not None:
            args.ready_file.write_text("ready\n")
        try:
            stop.wait()
        finally:
            simulator.stop()
    except KatibGitopsError as exc:
        print(f"katib-simulator: {exc}", file=sys.stderr)
        hint = getattr(exc, "hint", "")
        if hint:
            print(f"hint: {hint}", file=sys.stderr)
        return exc.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())
