"""The experiment itself and its settings: `experiment(...)` (and the registry of declared
experiments the loader reads), the objective, the algorithm, early stopping and the budget."""

from __future__ import annotations

from compiler.dsl._build import _collect, _head_and_mapping
from compiler.dsl._parts import Declared, Part, SpecError, _plain
from compiler.dsl._sites import _here, _site

TYPE_CHECKING = False  # typing itself costs milliseconds the sandboxed child need not pay
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import Any, Literal

    from compiler.dsl._parts import Scalar

    Strategies = Mapping[str, Literal["min", "max", "latest"]] | Sequence[Mapping[str, str]]

MAX_EXPERIMENTS = 1000

_declared: list[Declared] = []


def declared() -> list[Declared]:
    """Every experiment declared so far in this process (read by the loader and by tests)."""
    return list(_declared)


def reset() -> None:
    """Forget the experiments declared so far (tests run several specs in one process)."""
    _declared.clear()


def experiment(
    name: str | None = None,
    *,
    revision_suffix: bool | None = None,
    namespace: str | None = None,
    labels: Mapping[str, str] | None = None,
    annotations: Mapping[str, str] | None = None,
    objective: Mapping[str, Any],
    algorithm: str | Mapping[str, Any],
    early_stopping: str | Mapping[str, Any] | None = None,
    trials: Mapping[str, int | None] | None = None,
    resume: Literal["Never", "LongRunning", "FromVolume"] | None = None,
    parameters: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
    nas: Mapping[str, Any] | None = None,
    trial: Mapping[str, Any],
    metrics: Mapping[str, Any] | None = None,
    local: Mapping[str, Any] | None = None,
) -> None:
    """Declare one Katib experiment. Call it once per experiment; loops are fine.

    name: at most 29 characters; defaults to the file's name when the file declares one
        experiment. Katib's object is named `<name>-<revision>`, unless revision_suffix=False
        (then `name` exactly). namespace: defaults to the spec's folder (specs/<namespace>/...).
    objective: `maximize(...)` or `minimize(...)`.
    algorithm: a name ("random", "tpe", "grid", ...) or `algorithm(name, **settings)`.
    trial: what each trial runs: `job(...)`, `tfjob(...)`, ..., `raw(...)`, `configmap(...)`.
        Write `${name}` for a parameter's value in its command, args or env.
    parameters: the search space, name to `floats`, `ints`, `choice` or `discrete` (or a
        list of `named(...)` parameters, which may repeat a name, as Katib allows).
    trials: the budget, `dict(max=..., parallel=..., failures=...)` or `budget(...)`.
    early_stopping: e.g. "medianstop" or `early_stopping("medianstop", min_trials_required=3)`.
    nas: neural architecture search, `nas(...)`. metrics: how metrics are collected, `metrics(...)`.
    resume: Katib's resumePolicy. labels, annotations: the Experiment's metadata.
    local: how `katib-gitops run` runs a trial on this machine, `local(...)`.
    """
    args = dict(locals())
    if len(_declared) >= MAX_EXPERIMENTS:
        raise SpecError(f"a spec may declare at most {MAX_EXPERIMENTS} experiments")
    site = _site()
    part = _collect(args, _here(), site=site)
    data = _plain(part, (), part.values_at, 0)
    _declared.append(Declared(data, site.file, part.values_at, part.keys_at))


# ---------------------------------------------------------------- the objective


def maximize(
    metric: str,
    goal: float | None = None,
    also: Sequence[str] | None = None,
    strategies: Strategies | None = None,
) -> Part:
    """Maximize `metric`; stop once a trial reaches `goal`. `also`: more metrics to collect.
    `strategies`: how a metric's value is taken from its reports, only where it differs from
    the objective's direction (e.g. {"loss": "min"}; or Katib's list of {name, value})."""
    return _objective("maximize", locals())


def minimize(
    metric: str,
    goal: float | None = None,
    also: Sequence[str] | None = None,
    strategies: Strategies | None = None,
) -> Part:
    """Minimize `metric`; stop once a trial reaches `goal`. See `maximize`."""
    return _objective("minimize", locals())


def _objective(direction: str, args: dict[str, Any]) -> Part:
    return _collect(args, _here(2), rename={"metric": direction})


# ---------------------------------------------------------------- algorithms and the budget


def algorithm(name: str, settings: Mapping[str, Scalar] | None = None, /, **more: Scalar) -> Part:
    """A search algorithm with settings: `algorithm("tpe", n_startup_trials=5)`. Settings whose
    names are not Python identifiers go in the mapping: `algorithm("x", {"a-b": 1})`."""
    return _named(name, settings, more)


def early_stopping(
    name: str, settings: Mapping[str, Scalar] | None = None, /, **more: Scalar
) -> Part:
    """Early stopping with settings: `early_stopping("medianstop", min_trials_required=3)`."""
    return _named(name, settings, more)


def _named(name: str, settings: Mapping[str, Scalar] | None, more: dict[str, Scalar]) -> Part:
    return _head_and_mapping(("name", name), ("settings", settings), more)


def budget(
    max: int | None = None, parallel: int | None = None, failures: int | None = None
) -> Part:
    """The trial budget: `max` trials in all, `parallel` at once, and `failures` failed trials
    that fail the experiment. The same as `dict(max=..., parallel=..., failures=...)`."""
    return _collect(locals(), _here())
