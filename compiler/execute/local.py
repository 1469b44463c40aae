"""Run one compiled experiment locally: check everything that can be checked before the first
trial, then run the study loop and turn its journal into `Results`.
"""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from compiler.execute.errors import LocalUnsupported
from compiler.execute.journal import Journal, read
from compiler.execute.plan import Plan
from compiler.execute.results import build_results
from compiler.execute.runner import Budget, Observer, Runner
from compiler.execute.space import algorithm_settings
from compiler.execute.state import fold
from compiler.model.katib import Experiment
from compiler.model.results import Results, Source
from compiler.model.spec import Local

UNSUPPORTED = {
    # §6.9: each suggestion trains ENAS's RNN controller with TensorFlow inside Katib's service
    "enas": (
        "it needs Katib's TensorFlow controller: the enas suggestion service trains an RNN "
        "controller with TensorFlow, which designs each trial's architecture",
        "run it in a cluster, or search the architecture locally with darts",
    ),
}


@dataclass(frozen=True)
class RunOptions:
    state_dir: Path
    root: Path = Path()
    seed: int | None = None
    max_trials: int | None = None
    fresh: bool = False
    configmaps: Mapping[tuple[str, str], Mapping[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Prepared:
    """Everything checked; nothing run yet."""

    exp: Experiment
    plan: Plan
    budget: Budget
    seed: int | None
    notes: tuple[str, ...]


def prepare(exp: Experiment, local: Local | None, options: RunOptions) -> Prepared:
    """Fails with LocalUnsupported before any trial when the run cannot go to its end."""
    algo = exp.spec.algorithm.algorithm_name if exp.spec.algorithm else ""
    if algo in UNSUPPORTED:
        why, hint = UNSUPPORTED[algo]
        raise LocalUnsupported(f"algorithm {algo} is not supported locally: {why}", hint)
    es = exp.spec.early_stopping
    if es is not None and es.algorithm_name != "medianstop":
        raise LocalUnsupported(
            f"early stopping {es.algorithm_name!r} is not supported locally", "use medianstop"
        )
    budget = Budget(
        parallel=exp.spec.parallel_trial_count or 3,
        max_trials=options.max_trials
        if options.max_trials is not None
        else exp.spec.max_trial_count,
        max_failed=exp.spec.max_failed_trial_count,
    )
    if budget.max_trials is None:
        raise LocalUnsupported(
            "the experiment has no maxTrialCount: Katib would run it until the goal, forever if "
            "it is never reached",
            "set trials.max, or pass --max-trials N",
        )
    if options.fresh:
        shutil.rmtree(options.state_dir, ignore_errors=True)
    plan = Plan(exp, local, options.root, options.state_dir, options.configmaps)
    seed = _seed(exp, options)
    return Prepared(exp, plan, budget, seed, tuple(plan.notes))


def _seed(exp: Experiment, options: RunOptions) -> int | None:
    """The journal's seed wins on resume; then --seed; then the algorithm's random_state."""
    header = fold(read(options.state_dir / "journal.jsonl")[0]).header
    if "seed" in header:
        return header["seed"]  # type: ignore[no-any-return]
    if options.seed is not None:
        return options.seed
    state = algorithm_settings(exp).get("random_state")
    if state is not None:
        return int(state)
    return secrets.randbelow(2**31)  # unseeded: a seed of its own, kept in the journal


def run(
    prepared: Prepared, header: dict[str, object], observer: Observer, source: Source, log_root: str
) -> Results:
    from compiler.execute.samplers import make_source

    exp, budget = prepared.exp, prepared.budget
    first_batch = min(budget.parallel, budget.max_trials or budget.parallel)
    suggestion = make_source(exp, prepared.seed, first_batch)
    notes = (*prepared.notes, *suggestion.notes)
    for note in notes:
        observer.event(f"note: {note}")
    journal = Journal(prepared.plan.state_dir / "journal.jsonl")
    try:
        runner = Runner(
            exp,
            prepared.plan,
            make_source=lambda: suggestion,
            journal=journal,
            budget=budget,
            header={**header, "seed": prepared.seed},
            observer=observer,
        )
        state = runner.run()
    finally:
        journal.close()
    return build_results(exp, state, source, log_root, notes)


def results_of(prepared: Prepared, source: Source, log_root: str) -> Results | None:
    """The Results of what the journal holds, without running anything."""
    events, _ = read(prepared.plan.state_dir / "journal.jsonl")
    if not events:
        return None
    return build_results(prepared.exp, fold(events), source, log_root, prepared.notes)
