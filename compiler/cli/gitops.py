"""`katib-gitops gitops argocd|flux`: the Argo CD or Flux objects that sync each team's folder
of generated/, to a folder (-o DIR) or to stdout.

Exit codes: 0 written, 2 usage or unreadable input (a bad option, no tenancy map, a folder of
generated/ that the tenancy map does not know).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from compiler.cli import options

ARGO_HELP = "write Argo CD AppProjects and Applications that sync generated/, a team at a time"
FLUX_HELP = "write a Flux GitRepository and Kustomizations that sync generated/, a team at a time"


# The defaults are compiler.gitops.tenancy.ArgoOptions' and FluxOptions' (an option not given
# is left out, so theirs apply); the help repeats them, and a test holds the two together.
ARGO_OPTIONS = (
    ("--revision", "the branch, tag or commit Argo CD follows (default: main)"),
    ("--path", "generated/'s path in the repository (default: generated)"),
    ("--namespace", "Argo CD's namespace (default: argocd)"),
    ("--server", "the destination API server (default: https://kubernetes.default.svc)"),
)
FLUX_OPTIONS = (
    ("--branch", "the branch Flux follows (default: main)"),
    ("--path", "generated/'s path in the repository (default: generated)"),
    ("--interval", "how often to reconcile (default: 1m)"),
    ("--timeout", "the timeout of an apply, and of the health checks of --wait (default: 2m)"),
    ("--namespace", "Flux's namespace (default: flux-system)"),
    ("--secret-ref", "the Secret with the repository's credentials (default: none)"),
)


def register(sub: Any) -> None:
    c = sub.add_parser(
        "gitops",
        help="write the Argo CD or Flux objects that sync generated/",
        description="Write the objects with which Argo CD or Flux sync each team's folder of "
        "generated/ (teams and namespaces from parameters.tenancy.teams of "
        "policies/config.yaml). They never prune experiments: old revisions are archived and "
        "deleted by `katib-gitops reconcile --observe-only --prune`.",
    )
    tools = c.add_subparsers(dest="tool", required=True, metavar="TOOL")
    for name, text, table in (
        ("argocd", ARGO_HELP, ARGO_OPTIONS),
        ("flux", FLUX_HELP, FLUX_OPTIONS),
    ):
        p = tools.add_parser(name, help=text, description=text)
        p.add_argument("--repo-url", required=True, metavar="URL", help="the Git repository")
        for flag, help_text in table:
            p.add_argument(flag, default=argparse.SUPPRESS, help=help_text)
        p.add_argument(
            "-o",
            "--output",
            metavar="DIR",
            help="write files to DIR (default: one stream to stdout)",
        )
        options.root(p)
        p.set_defaults(handler=run)
    tools.choices["flux"].add_argument(
        "--wait",
        action="store_true",
        default=argparse.SUPPRESS,
        help="Ready only when every experiment has Succeeded (for short runs: CI, smoke tests)",
    )


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from compiler.commands import gitops
    from compiler.gitops.tenancy import ArgoOptions, FluxOptions

    root = Path(args.root)
    if args.tool == "argocd":
        result = gitops.argocd_objects(root, _options(ArgoOptions, args))
    else:
        result = gitops.flux_objects(root, _options(FluxOptions, args))
    if args.output:
        w = gitops.write(Path(args.output), result)
        n = len(result.teams)
        print(
            f"{n} team{'s' if n != 1 else ''}: {args.output}: {len(w.written)} written, "
            f"{len(w.removed)} removed, {w.unchanged} unchanged",
            file=sys.stderr,
        )
    else:
        sys.stdout.write(result.stream())
    for team in result.unused:
        print(f"note: team {team!r} has no folder in generated/: no objects", file=sys.stderr)
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    return 0


def _options(cls: Any, args: argparse.Namespace) -> Any:
    """The options given; the dataclass has the defaults of those that are not."""
    import dataclasses

    given = vars(args)
    return cls(**{f.name: given[f.name] for f in dataclasses.fields(cls) if f.name in given})
