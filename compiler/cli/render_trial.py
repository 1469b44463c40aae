"""`katib-gitops render-trial`."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from compiler.cli import options


def register(sub: Any) -> None:
    r = sub.add_parser(
        "render-trial",
        help="print one concrete trial job of a spec, as Katib would create it",
        description="Render one trial job of a spec with sample parameter values (the lower "
        "bound, or the first value) or the ones given with --set, substituted as Katib does, "
        "and check it against its kind's Kubernetes schema. Exit 1 when the job has problems.",
    )
    r.add_argument("spec", metavar="SPEC")
    r.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a parameter's value (repeatable)",
    )
    r.add_argument(
        "--experiment", metavar="NAME", help="which experiment of a multi-experiment spec"
    )
    options.root(r)
    options.katib_config(r)
    options.configmaps(r)
    r.add_argument("-o", "--output", choices=("yaml", "json"), default="yaml")
    r.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from compiler.commands.render_trial import render_spec_trial
    from compiler.yamlout import dump

    result = render_spec_trial(
        Path(args.root),
        args.spec,
        args.set,
        args.experiment,
        args.configmap,
        katib_config=args.katib_config,
        cluster=args.cluster,
    )
    for d in result.diagnostics:
        sys.stderr.write(d.render() + "\n")
    if result.rendered is None:
        return 1
    job = result.rendered.job
    sys.stdout.write(json.dumps(job, indent=2) + "\n" if args.output == "json" else dump(job))
    for issue in result.rendered.issues:
        sys.stderr.write(f"{args.spec}: {job.get('kind')} {issue}\n")
    return result.exit_code
