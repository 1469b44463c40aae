"""pbt, following Katib's service (reference §6.8, pkg/suggestion/v1beta1/pbt/service.py),
written anew.

The state is Katib's `PbtJobQueue`: jobs pending (queued, not yet handed out), running (handed
out, not yet seen finished), and two sample pools of finished jobs, `previous` and `current`.
Katib keeps it in the service's memory; here the journal records it after each question, and
the random draws of a question are seeded from the run's seed and the number of trials, so a
resumed run asks and answers as an uninterrupted one.

Each question (GetSuggestions):
* the first one queues `n_population` random jobs (generation 0; here each is drawn when it
  is handed out, so that a huge population costs nothing);
* every trial the controller sends is taken in: Katib sends all but MetricsUnavailable ones and
  early-stopped ones without an observation (suggestionclient.go, ConvertTrials); Created and
  Running are skipped; a Failed or Killed job is queued again with the same values, generation
  and parent; a Succeeded (or EarlyStopped) one joins the `current` pool;
* when fewer jobs are queued than asked for: while `current` holds at most `n_population`
  jobs, more random jobs in the first generation, afterwards more children of the `previous`
  pool; once it holds more, the next generation of `n_population` children of `current`,
  which becomes `previous`.

Children (`generate`): the pool is cut at the `truncation_threshold` and `1 -
truncation_threshold` quantiles of the objective (numpy's linear quantile; minimized objectives
negated). Up to `int(count * threshold)` jobs below the lower cut exploit: each takes the values
of a random job at or above the upper cut. The rest explore: each value is perturbed (numbers
times 0.8 or 1.2, clipped to [min, max]; a list item moves to a neighbour, wrapping), or with
`resample_probability` set, resampled with that probability. Either way the child's parent is
the job it replaces, so it starts from that job's own checkpoint: Katib's exploit copies values,
not the better trial's checkpoint (`parent=job.uid`). Values are printed as the service's
Python prints them, quirks kept: an int clipped to a bound becomes a float (`5.0`), and
perturbing that one later raises in Katib (`int("5.0")`), so the experiment would hang; here it
stops with a SuggestionError.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from compiler.admission.algorithms._arange import ArangeError, arange_length, arange_value
from compiler.execute.errors import LocalUnsupported, SuggestionError
from compiler.execute.sources import Suggestion, TrialView, derive_seed
from compiler.execute.space import Param, algorithm_settings, parse_space
from compiler.model.katib import Experiment
from compiler.model.results import PBT_GENERATION, PBT_PARENT

NOTE = (
    "pbt: as in Katib's service, a trial below the truncation threshold takes the values of a "
    "top trial and continues from its own checkpoint (exploit); the others perturb their values "
    "(explore)"
)


@dataclass
class Job:
    name: str
    assignments: dict[str, str]
    generation: int
    parent: str = ""
    origin: str = "random"  # random | exploit | explore | retry
    values_from: str = ""  # exploit: the job whose values it took
    value: float | None = None  # the objective, negated when minimized (Katib maximizes)


class Sampler:
    """Katib's `HyperParameterSampler`: numbers from `arange(min, max + step / 2, step)`."""

    def __init__(self, p: Param) -> None:
        self.p = p
        self.size = len(p.values)
        if p.numeric:
            if not p.step:
                raise LocalUnsupported(
                    f"pbt: double {p.name} has no step; Katib's service fails on float('')",
                    "give the double a step",
                )
            try:
                self.size = arange_length(p.low, p.high + p.step / 2, p.step)
            except ArangeError as exc:
                raise LocalUnsupported(f"pbt: parameter {p.name}: {exc}") from None
        if self.size <= 0:
            raise LocalUnsupported(f"pbt: parameter {p.name} has no values to sample")

    def sample(self, rng: np.random.Generator) -> str:
        i = int(rng.integers(self.size))
        if not self.p.numeric:
            return self.p.values[i]
        assert self.p.step is not None
        value = arange_value(self.p.low, self.p.step, i)
        return str(int(value)) if self.p.type == "int" else str(value)  # astype(int) truncates

    def perturb(self, text: str, rng: np.random.Generator) -> str:
        p = self.p
        if not p.numeric:
            index = p.values.index(text) + (-1, 1)[int(rng.integers(2))]
            return p.values[0] if index >= len(p.values) else p.values[index]  # -1: the last
        factor = (0.8, 1.2)[int(rng.integers(2))]
        if p.type == "int":
            try:
                moved: float = int(int(text) * factor)
            except ValueError:
                raise SuggestionError(
                    f"pbt: int parameter {p.name} has the value {text!r}, which Katib's service "
                    f"cannot perturb (int({text!r}) raises ValueError): it made that value when "
                    "it clipped an earlier one to a bound; the experiment would hang here",
                    "use a double with a step for this parameter, or keep its bounds out of reach",
                ) from None
        else:
            moved = float(text) * factor
        return str(_clip(moved, p.low, p.high))


def _clip(value: float, low: float, high: float) -> float:
    """Python's `max(float(min), min(float(max), value))`: a bound wins ties, as a float."""
    inner = value if value < high else float(high)
    return inner if inner > low else float(low)


class Pbt:
    notes: tuple[str, ...] = (NOTE,)

    def __init__(self, exp: Experiment, seed: int | None) -> None:
        settings = algorithm_settings(exp)
        self.experiment = exp.metadata.name
        self.population = int(settings["n_population"])
        self.threshold = float(settings["truncation_threshold"])
        resample = settings.get("resample_probability")
        self.resample = float(resample) if resample is not None else None
        self.space = [Sampler(p) for p in parse_space(exp)]
        self.scale = -1.0 if exp.spec.objective and exp.spec.objective.type == "minimize" else 1.0
        self.seed = seed
        self.started = False
        # a number stands for that many random first-generation jobs, drawn when handed out:
        # Katib queues all n_population of them at once, which a huge setting would make a hang
        self.pending: list[Job | int] = []
        self.running: dict[str, Job] = {}
        self.previous: list[Job] = []
        self.current: list[Job] = []

    # --- the journal ----------------------------------------------------------------------------

    def state(self) -> dict[str, Any]:
        return {
            "started": self.started,
            "pending": [j if isinstance(j, int) else asdict(j) for j in self.pending],
            "running": [asdict(j) for j in self.running.values()],
            "previous": [asdict(j) for j in self.previous],
            "current": [asdict(j) for j in self.current],
        }

    def restore(self, state: dict[str, Any]) -> None:
        self.started = bool(state.get("started"))
        self.pending = [j if isinstance(j, int) else Job(**j) for j in state.get("pending", ())]
        self.running = {j["name"]: Job(**j) for j in state.get("running", ())}
        self.previous = [Job(**j) for j in state.get("previous", ())]
        self.current = [Job(**j) for j in state.get("current", ())]

    # --- GetSuggestions -------------------------------------------------------------------------

    def suggest(self, count: int, trials: Sequence[TrialView]) -> list[Suggestion]:
        if count <= 0:
            return []
        rng = np.random.default_rng(derive_seed(self.seed, "pbt", len(trials)))
        if not self.started:
            self.started = True
            self._seed(self.population)
        for view in trials:
            self._update(view, rng)
        if self._queued() < count:
            self._generate(count, rng)
        if self._queued() < count:
            raise SuggestionError(
                f"pbt: {count} trials asked for and {self._queued()} queued; Katib's service "
                "raises 'Pending queue is empty!' here and the experiment hangs",
                "keep parallelTrialCount at most n_population",
            )
        jobs = [self._take(rng) for _ in range(count)]
        self.running.update((j.name, j) for j in jobs)
        return [_suggestion(j) for j in jobs]

    def _queued(self) -> int:
        return sum(j if isinstance(j, int) else 1 for j in self.pending)

    def _take(self, rng: np.random.Generator) -> Job:
        head = self.pending[0]
        if isinstance(head, Job):
            self.pending.pop(0)
            return head
        if head > 1:
            self.pending[0] = head - 1
        else:
            self.pending.pop(0)
        values = {s.p.name: s.sample(rng) for s in self.space}
        return Job(self._name(rng), values, 0)

    def _update(self, view: TrialView, rng: np.random.Generator) -> None:
        if not view.finished or view.state == "MetricsUnavailable":
            return  # Created/Running are skipped; MetricsUnavailable is never sent
        if view.state == "EarlyStopped" and view.value is None:
            return  # not sent either
        job = self.running.pop(view.name, None)
        if job is None:
            return  # taken in already
        if view.state in ("Failed", "Killed"):
            self._append(rng, dict(job.assignments), job.generation, job.parent, origin="retry")
            return
        job.value = None if view.value is None else self.scale * view.value
        self.current.append(job)

    def _generate(self, count: int, rng: np.random.Generator) -> None:
        if len(self.current) <= self.population:
            if not self.previous:
                self._seed(count)
                return
            exploit, explore, upper = self._segment(self.previous, count, rng)
        else:
            exploit, explore, upper = self._segment(self.current, self.population, rng)
            self.previous, self.current = self.current, []
        if exploit:
            donors = rng.choice(len(upper), size=len(exploit))
            for job, d in zip(exploit, donors, strict=True):
                donor = upper[int(d)]
                values = dict(donor.assignments)
                self._append(
                    rng,
                    values,
                    job.generation + 1,
                    job.name,
                    origin="exploit",
                    values_from=donor.name,
                )
        for job in explore:
            values = {
                s.p.name: self._explore(s, job.assignments[s.p.name], rng) for s in self.space
            }
            self._append(rng, values, job.generation + 1, job.name, origin="explore")

    def _explore(self, s: Sampler, text: str, rng: np.random.Generator) -> str:
        if self.resample is None:
            return s.perturb(text, rng)
        return s.sample(rng) if rng.random() < self.resample else text

    def _segment(
        self, pool: list[Job], count: int, rng: np.random.Generator
    ) -> tuple[list[Job], list[Job], list[Job]]:
        values = [j.value for j in pool if j.value is not None]
        if len(values) < len(pool):
            raise SuggestionError(
                "pbt: a finished trial has no objective value; Katib's service fails on it "
                "(numpy.quantile of None) and the experiment hangs",
                "make every trial report the objective",
            )
        low, high = np.quantile(values, (self.threshold, 1 - self.threshold))
        below = [j for j in pool if (j.value or 0.0) < low]
        rest = [j for j in pool if not (j.value or 0.0) < low]
        upper = [j for j in rest if (j.value or 0.0) >= high]
        below = [below[i] for i in rng.permutation(len(below))]
        rest = [rest[i] for i in rng.permutation(len(rest))]
        exploit = below[: int(count * self.threshold)]
        return exploit, rest[: count - len(exploit)], upper

    def _seed(self, count: int) -> None:
        self.pending.append(count)

    def _append(
        self,
        rng: np.random.Generator,
        values: dict[str, str],
        generation: int,
        parent: str,
        *,
        origin: str,
        values_from: str = "",
    ) -> None:
        job = Job(self._name(rng), values, generation, parent, origin, values_from)
        self.pending.append(job)

    def _name(self, rng: np.random.Generator) -> str:
        """Katib's `<experiment>-<uuid4>`, drawn from the question's seed so that names repeat."""
        return f"{self.experiment}-{uuid.UUID(bytes=rng.bytes(16), version=4)}"


def _suggestion(job: Job) -> Suggestion:
    labels = {PBT_GENERATION: str(job.generation)}
    if job.parent:
        labels[PBT_PARENT] = job.parent
    memo: dict[str, Any] = {"origin": job.origin}
    if job.values_from:
        memo["valuesFrom"] = job.values_from
    return Suggestion(dict(job.assignments), {"pbt": memo}, labels, job.name)
