"""The plan of a pull request as data: what merging it does to each experiment, the findings it
adds or fixes, and the worst-case cost before and after. Frozen; built by `prdiff.build`,
printed by `prdiff.markdown` and `prdiff.jsonfmt`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

from compiler.changes import ADDED, IN_PLACE, REMOVED, REPLACE, UNCHANGED, Change, FieldChange

WORKTREE = "worktree"  # the head when it is the work tree, not a commit
#: the order changes are shown and counted in: the ones that need a reviewer's eye first
CHANGES: tuple[Change, ...] = (REPLACE, IN_PLACE, ADDED, REMOVED, UNCHANGED)


@dataclass(frozen=True)
class Cost:
    """Worst case of one experiment: every trial runs to its time limit holding its resources
    (`compiler.policy.cost`). None where it has no bound; `why` says what is missing."""

    cpu_hours: float | None
    gpu_hours: float | None
    why: str = ""
    assumed_deadline: int | None = None  # the default time limit used, in seconds


ZERO = Cost(0.0, 0.0)


@dataclass(frozen=True)
class Side:
    """An experiment at one revision (base or head)."""

    object: str  # the Katib object's name (the spec's name and its revision suffix)
    revision: str
    source: str  # the spec file
    cost: Cost


@dataclass(frozen=True)
class ExperimentDiff:
    namespace: str
    name: str  # the spec's name: the same across revisions
    change: Change
    fields: tuple[FieldChange, ...]  # immutable fields for replace; budget and metadata else
    before: Side | None
    after: Side | None

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}"

    @property
    def teams(self) -> tuple[str, ...]:
        """The folders under specs/ of the spec at both revisions (a moved spec has two)."""
        found = (team(s.source) for s in (self.before, self.after) if s is not None)
        return tuple(sorted({t for t in found if t}))

    @property
    def cost_delta(self) -> Cost:
        return delta(
            self.before.cost if self.before else ZERO, self.after.cost if self.after else ZERO
        )


@dataclass(frozen=True)
class Finding:
    """A finding of `katib-gitops check` (the compiler's or a policy's), compared across
    revisions by (rule or code, experiment, message)."""

    code: str
    rule: str
    experiment: str  # <namespace>/<spec name>, or "" for repository-wide findings
    message: str
    severity: str
    location: str  # at the revision it was found in

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.rule or self.code, self.experiment, self.message)


@dataclass(frozen=True)
class Totals:
    before: Cost
    after: Cost
    unbounded_before: int  # experiments whose cost has no bound (left out of the sums)
    unbounded_after: int

    @property
    def delta(self) -> Cost:
        return delta(self.before, self.after)


@dataclass(frozen=True)
class PullRequestDiff:
    base: str  # the base commit
    head: str  # the head commit, or WORKTREE
    stale: bool  # head's generated/ is not what head's specs compile to
    stale_reason: str
    problems: tuple[str, ...]  # why head's specs do not compile, located
    experiments: tuple[ExperimentDiff, ...]  # every experiment of either revision, sorted
    new: tuple[Finding, ...]
    fixed: tuple[Finding, ...]

    @property
    def changed(self) -> tuple[ExperimentDiff, ...]:
        return tuple(e for e in self.experiments if e.change != UNCHANGED)

    def count(self, change: Change) -> int:
        return sum(1 for e in self.experiments if e.change == change)

    @property
    def namespaces(self) -> tuple[str, ...]:
        return tuple(sorted({e.namespace for e in self.changed}))

    @property
    def teams(self) -> tuple[str, ...]:
        return tuple(sorted({t for e in self.changed for t in e.teams}))

    @property
    def totals(self) -> Totals:
        befores = [e.before.cost for e in self.experiments if e.before]
        afters = [e.after.cost for e in self.experiments if e.after]
        return Totals(_sum(befores), _sum(afters), _unbounded(befores), _unbounded(afters))


def team(source: str) -> str | None:
    """The folder under specs/ (as `compiler.policy.subject.SpecInfo.team` reads it)."""
    parts = PurePosixPath(source).parts
    return parts[1] if len(parts) > 2 and parts[0] == "specs" else None


def delta(before: Cost, after: Cost) -> Cost:
    def minus(a: float | None, b: float | None) -> float | None:
        return None if a is None or b is None else a - b

    return Cost(minus(after.cpu_hours, before.cpu_hours), minus(after.gpu_hours, before.gpu_hours))


def _sum(costs: list[Cost]) -> Cost:
    cpu = sum(c.cpu_hours for c in costs if c.cpu_hours is not None)
    gpu = sum(c.gpu_hours for c in costs if c.gpu_hours is not None)
    return Cost(float(cpu), float(gpu))


def _unbounded(costs: list[Cost]) -> int:
    return sum(1 for c in costs if c.cpu_hours is None or c.gpu_hours is None)


__all__ = [
    "ADDED",
    "CHANGES",
    "IN_PLACE",
    "REMOVED",
    "REPLACE",
    "UNCHANGED",
    "WORKTREE",
    "ZERO",
    "Cost",
    "ExperimentDiff",
    "Finding",
    "PullRequestDiff",
    "Side",
    "Totals",
]
