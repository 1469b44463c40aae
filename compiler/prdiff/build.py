"""From the two revisions' generated/ and check reports to a `PullRequestDiff`. Pure.

Experiments are paired by (namespace, spec name): the object's name carries the revision and so
changes with every immutable edit. Each pair is classified by `compiler.changes.compare`, the
same classification `plan` makes against the cluster.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from compiler.changes import compare
from compiler.desired import Desired, DesiredSet
from compiler.model.codec import from_go
from compiler.model.katib import Experiment
from compiler.policy.cost import deadline, estimate
from compiler.policy.report import Item, Report
from compiler.policy.subject import SpecInfo, build_subject
from compiler.prdiff.model import Cost, ExperimentDiff, Finding, PullRequestDiff, Side

NO_TIME_LIMIT = "the trial has no time limit"  # compiler.policy.cost.estimate's words


@dataclass(frozen=True)
class Staleness:
    stale: bool = False
    reason: str = ""
    problems: tuple[str, ...] = ()


def build(
    base: str,
    head: str,
    before: DesiredSet,
    after: DesiredSet,
    *,
    base_report: Report | None = None,
    head_report: Report | None = None,
    staleness: Staleness | None = None,
    default_deadline: int | None = None,
) -> PullRequestDiff:
    new, fixed = findings_delta(base_report or Report(), head_report or Report())
    state = staleness or Staleness()
    return PullRequestDiff(
        base=base,
        head=head,
        stale=state.stale,
        stale_reason=state.reason,
        problems=state.problems,
        experiments=pair(before, after, default_deadline),
        new=new,
        fixed=fixed,
    )


def pair(
    before: DesiredSet, after: DesiredSet, default_deadline: int | None = None
) -> tuple[ExperimentDiff, ...]:
    old, new = before.by_key(), after.by_key()
    out = []
    for key in sorted(set(old) | set(new)):
        b, a = old.get(key), new.get(key)
        comparison = compare(b.manifest if b else None, a.manifest if a else None)
        out.append(
            ExperimentDiff(
                namespace=key[0],
                name=key[1],
                change=comparison.change,
                fields=comparison.fields,
                before=_side(b, default_deadline),
                after=_side(a, default_deadline),
            )
        )
    return tuple(out)


def _side(d: Desired | None, default_deadline: int | None) -> Side | None:
    if d is None:
        return None
    return Side(d.name, d.revision, d.source, cost_of(d, default_deadline))


def cost_of(d: Desired, default_deadline: int | None = None) -> Cost:
    """The worst case of one experiment, by the same estimate the budget rules use; a trial
    without a time limit takes `default_deadline` (seconds) when one is given."""
    manifest = dict(d.manifest)
    try:
        experiment = from_go(Experiment, manifest)
        subject = build_subject(manifest, experiment, SpecInfo(d.source, d.namespace, d.experiment))
        est = estimate(subject)
        seconds, _ = deadline(subject)
    except (TypeError, ValueError, AttributeError, KeyError) as exc:  # a hand-edited manifest
        return Cost(None, None, f"the manifest cannot be read ({type(exc).__name__})")
    if seconds is None and default_deadline:
        why = "; ".join(w for w in est.why.split("; ") if w and w != NO_TIME_LIMIT)
        cpus = est.cpus
        trials, hours = est.trials, default_deadline / 3600
        cpu = None if trials is None or cpus is None else trials * hours * cpus
        gpu = 0.0 if est.gpus == 0 else None if trials is None else trials * hours * est.gpus
        return Cost(cpu, gpu, why, default_deadline)
    return Cost(est.cpu_hours, est.gpu_hours, est.why)


def findings_delta(base: Report, head: Report) -> tuple[tuple[Finding, ...], tuple[Finding, ...]]:
    """Unwaived findings only in head (new) and only in base (fixed)."""
    before, after = _findings(base.items), _findings(head.items)
    return (
        tuple(f for k, f in after.items() if k not in before),
        tuple(f for k, f in before.items() if k not in after),
    )


def _findings(items: Iterable[Item]) -> Mapping[tuple[str, str, str], Finding]:
    out: dict[tuple[str, str, str], Finding] = {}
    for i in items:
        if i.waived:
            continue
        d = i.diagnostic
        f = Finding(d.code, i.rule, i.experiment, d.message, d.severity.value, str(d.where or ""))
        out.setdefault(f.key, f)
    return out
