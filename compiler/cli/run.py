"""`katib-gitops run SPEC`: run an experiment locally, as Katib would, and write its report.

Exit codes: 0 the experiment Succeeded (or only the report was rendered); 1 the spec does not
compile; 2 usage, unreadable input or something the local backend cannot run; 3 the
experiment Failed, or the algorithm stopped producing trials; 130 interrupted.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from compiler.cli import options


def register(sub: Any) -> None:
    text = "run an experiment locally, as Katib would, and write its report to reports/"
    c = sub.add_parser("run", help=text, description=text)
    c.add_argument("spec", metavar="SPEC", help="the spec file, relative to --root")
    options.root(c)
    c.add_argument("--name", help="the experiment, when the spec declares several")
    c.add_argument("--state", metavar="DIR", help="state folder (default: .state/runs/<ns>/<name>)")
    c.add_argument("--seed", type=int, help="seed the algorithm and trial names (new runs)")
    c.add_argument(
        "--max-trials", type=int, metavar="N", help="maxTrialCount (raise it to continue)"
    )
    c.add_argument("--fresh", action="store_true", help="discard the state of earlier runs first")
    c.add_argument(
        "--commit", action="store_true", help="commit the report files (only if changed)"
    )
    c.add_argument("--plain", action="store_true", help="plain lines, no live view")
    c.add_argument(
        "--report-only", action="store_true", help="render the report of the state as it is"
    )
    options.katib_config(c)
    options.configmaps(c)
    c.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    import signal
    from pathlib import Path

    from compiler.commands.run import run_spec

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)
    if args.max_trials is not None and args.max_trials < 0:
        print("katib-gitops: --max-trials must be >= 0", file=sys.stderr)
        return 2
    plain = args.plain or not sys.stdout.isatty()
    out = run_spec(
        Path(args.root),
        args.spec,
        lambda p: _observer(p, plain),
        name=args.name,
        state=args.state,
        seed=args.seed,
        max_trials=args.max_trials,
        fresh=args.fresh,
        commit=args.commit,
        report_only=args.report_only,
        configmaps=args.configmap,
        katib_config=args.katib_config,
        cluster=args.cluster,
    )
    for d in out.diagnostics:
        sys.stderr.write(d.render() + "\n")
    if out.results is None:
        if args.report_only:
            print("katib-gitops: nothing has run yet: no report", file=sys.stderr)
            return 2
        return 1
    return _summary(out, args.commit)


def _observer(prepared: Any, plain: bool) -> Any:
    from compiler.execute.view import LiveView, PlainView

    objective = prepared.exp.spec.objective
    if plain:
        return PlainView(objective, prepared.budget.max_trials)
    return LiveView(objective, prepared.budget.max_trials, prepared.exp.metadata.name)


def _summary(out: Any, commit: bool) -> int:
    r = out.results
    best = r.best
    line = f"{r.namespace}/{r.name}: {r.outcome}"
    line += f" ({r.reason})" if r.reason else ""
    if best is not None:
        line += f"; best {r.objective.objective_metric_name} = {best.objective} in {best.name}"
    print(line)
    if out.report:
        print(f"report: {out.report[0]}/README.md")
    if commit:
        print(f"committed {out.commit[:12]}" if out.commit else "report unchanged: no commit")
    return 3 if r.outcome == "Failed" else 0
