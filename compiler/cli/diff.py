"""`katib-gitops diff`: the plan of a pull request, Git against Git: what merging it does.

generated/ at --base against generated/ at --head (the work tree when --head is absent). Each
experiment (paired by namespace and spec name) is added, removed, changed in place (budget or
metadata: Katib updates the running Experiment), replaced (an immutable field changed: a new
Experiment, a new run; the old one is archived to reports/ and deleted) or unchanged; the same
classification `plan` makes against the cluster. Also: the findings of `check` that are new or
fixed against the base, the worst-case cost (maxTrialCount × the resources of every pod of a
trial × its time limit, in CPU-hours and GPU-hours) before and after, the namespaces and teams
(folders under specs/) touched, and whether head's generated/ is what head's specs compile to
("stale"; a spec that does not compile makes it stale too, with its located errors).

-o markdown (default): a sticky pull-request comment, starting with the hidden marker
<!-- katib-gitops:diff -->, at most 65,536 characters (cut between whole sections, pointing at
--artifact-url for the rest). -o json: everything, uncut:
  {"version": 1, "base": SHA, "head": SHA|"worktree", "stale": BOOL, "staleReason", "problems",
   "summary": {CHANGE: N}, "experiments": [{"name", "namespace", "change", "fields": [{"path",
   "before", "after"}], "revision": {"before", "after"}, "objects": {"before", "after"},
   "spec": {...}, "cost": {"before", "after", "delta"}, "team"}], "policy": {"new": [...],
   "fixed": [...]}, "cost": {"before", "after", "delta", "unbounded"}, "namespaces", "teams"}
A cost is {"cpuHours", "gpuHours"} (null when unbounded, with "why"). --katib-config and
--configmap are read from the work tree, for both revisions.

Exit codes: 0 the diff was computed, whatever it says; 1 with --fail-on-stale, when head's
generated/ is stale or its specs do not compile (the diff is still written); 2 usage, a ref
that names no commit, not a git repository, or unreadable input (a malformed generated/ at
either revision: the file and the revision are named).
"""

from __future__ import annotations

import argparse
import re
import sys
from typing import Any

from compiler.cli import options

FORMATS = ("markdown", "json")
_URL = re.compile(r"https?://[^\s()<>\[\]`\"']+\Z")


def register(sub: Any) -> None:
    text = "the plan of a pull request: what merging --head into --base does to each experiment"
    c = sub.add_parser(
        "diff", help=text, description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    c.add_argument("--base", required=True, metavar="REF", help="the base commit or branch")
    c.add_argument(
        "--head", metavar="REF", help="the head commit or branch (default: the work tree)"
    )
    c.add_argument(
        "-o", "--format", choices=FORMATS, default="markdown", help="output (default: markdown)"
    )
    c.add_argument("--output", metavar="FILE", help="write to FILE instead of stdout")
    options.root(c)
    c.add_argument(
        "--artifact-url",
        metavar="URL",
        default="",
        help="where the full diff is (the workflow run's artifacts), linked when the Markdown "
        "is cut",
    )
    c.add_argument(
        "--fail-on-stale",
        action="store_true",
        help="exit 1 when head's generated/ is not what its specs compile to",
    )
    c.add_argument(
        "--default-deadline",
        type=_seconds,
        metavar="SECONDS",
        help="the time limit assumed for trials that set none (default: their cost is unbounded)",
    )
    options.katib_config(c)
    options.configmaps(c)
    c.set_defaults(handler=run)


def _seconds(value: str) -> int:
    if not value.isdigit() or int(value) <= 0:
        raise argparse.ArgumentTypeError(f"{value!r} is not a positive number of seconds")
    return int(value)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from compiler.commands.diff import DiffOptions, diff
    from compiler.commands.files import write_text
    from compiler.errors import UsageError
    from compiler.prdiff import jsonfmt, markdown

    if args.artifact_url and not _URL.match(args.artifact_url):
        raise UsageError(f"--artifact-url {args.artifact_url!r} is not an http(s) URL")
    plan = diff(
        Path(args.root),
        args.base,
        args.head,
        DiffOptions(args.katib_config, args.configmap, args.default_deadline, cluster=args.cluster),
    )
    out = (
        jsonfmt.render(plan) if args.format == "json" else markdown.render(plan, args.artifact_url)
    )
    if args.output:
        write_text(args.output, out)
    else:
        sys.stdout.write(out)
    for problem in plan.problems:
        print(problem, file=sys.stderr)
    print(_summary(plan), file=sys.stderr)
    return 1 if args.fail_on_stale and plan.stale else 0


def _summary(plan: Any) -> str:
    from compiler.prdiff.model import CHANGES

    counts = ", ".join(f"{plan.count(c)} {c}" for c in CHANGES)
    stale = f"; generated/ is STALE: {plan.stale_reason}" if plan.stale else ""
    return f"{counts}; findings: {len(plan.new)} new, {len(plan.fixed)} fixed{stale}"
