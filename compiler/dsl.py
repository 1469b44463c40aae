"""The Python authoring API: build experiments in Python, with loops and functions.

A Python spec builds exactly the data a YAML spec holds (the `ExperimentSpec` format), so both
share every later stage::

    from compiler.dsl import experiment, maximize, floats, ints, choice, job

    experiment(
        name="random-example",
        objective=maximize("Validation-accuracy", goal=0.99, also=["Train-accuracy"]),
        algorithm="random",
        trials=dict(max=12, parallel=3, failures=3),
        parameters={"lr": floats(0.01, 0.03), "num-layers": ints(2, 5),
                    "optimizer": choice("sgd", "adam", "ftrl")},
        trial=job(image="docker.io/kubeflowkatib/mxnet-mnist",
                  command=["python3", "mnist.py", "--lr=${lr}"]),
    )

Every helper returns plain data (a `dict`), so plain dicts and lists work anywhere a helper does.
Each call remembers where it was written (file, line, column, from the call's bytecode position
and the file's syntax tree), so that a problem found later is reported at the line of the
`floats(...)` or the list item that caused it, not at "somewhere in the file".

This module is imported by the sandboxed process that runs specs, so it stays light: standard
library only, no pydantic, nothing from the rest of `compiler`.
"""

from __future__ import annotations

import ast
import math
import sys

TYPE_CHECKING = False  # typing itself costs milliseconds the sandboxed child need not pay
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from types import FrameType
    from typing import Any, Literal

    Scalar = str | int | float | bool
    Distribution = Literal["uniform", "logUniform", "normal", "logNormal"]
    Collector = Literal["StdOut", "File", "TensorFlowEvent", "PrometheusMetric", "Custom", "Push"]
    Env = Mapping[str, Scalar] | Sequence[Mapping[str, Any]]
    TrialParameters = Mapping[str, str] | Sequence[Mapping[str, str]]
    Strategies = Mapping[str, Literal["min", "max", "latest"]] | Sequence[Mapping[str, str]]

__all__ = [
    "Part",
    "SpecError",
    "algorithm",
    "budget",
    "choice",
    "configmap",
    "discrete",
    "early_stopping",
    "experiment",
    "floats",
    "ints",
    "job",
    "local",
    "maximize",
    "metrics",
    "minimize",
    "mpijob",
    "named",
    "nas",
    "operation",
    "pytorchjob",
    "raw",
    "tfjob",
    "trainjob",
    "xgboostjob",
]

Path = tuple[str | int, ...]
Position = tuple[int, int]  # (line, column), both 1-based; 0 means unknown

MAX_EXPERIMENTS = 1000
MAX_DEPTH = 64


class SpecError(ValueError):
    """The spec asked for something the format cannot hold (a value JSON cannot carry, too many
    experiments). `position` is where, when the DSL knows it better than the traceback."""

    def __init__(self, message: str, position: Position | None = None) -> None:
        super().__init__(message)
        self.position = position


class Part(dict[str, "Any"]):
    """A piece of a spec built by a helper: an ordinary dict that also remembers where each of
    its values was written (paths relative to the piece)."""

    __slots__ = ("keys_at", "values_at")

    def __init__(self, at: Position) -> None:
        super().__init__()
        self.values_at: dict[Path, Position] = {(): at}
        self.keys_at: dict[Path, Position] = {}


class Declared:
    """One `experiment(...)` call: its data (plain JSON types) and where each value was written."""

    __slots__ = ("data", "file", "keys", "values")

    def __init__(
        self,
        data: dict[str, Any],
        file: str,
        values: dict[Path, Position],
        keys: dict[Path, Position],
    ) -> None:
        self.data = data
        self.file = file
        self.values = values
        self.keys = keys

    def to_json(self) -> dict[str, Any]:
        """The wire form the loader reads back: paths as lists, positions as [line, column]."""
        return {
            "data": self.data,
            "values": [[list(p), line, col] for p, (line, col) in self.values.items()],
            "keys": [[list(p), line, col] for p, (line, col) in self.keys.items()],
        }


# ---------------------------------------------------------------- the experiment registry

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


# ---------------------------------------------------------------- objectives and parameters


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


def floats(
    min: float,
    max: float,
    step: float | None = None,
    *,
    log: bool = False,
    distribution: Distribution | None = None,
    description: str | None = None,
) -> Part:
    """A real-valued parameter (Katib `double`) from `min` to `max`. `log=True` samples on a log
    scale; `step` makes a grid; `distribution` picks Katib's sampling distribution."""
    return _collect(locals(), _here(), fixed={"type": "double"})


def ints(
    min: int,
    max: int,
    step: int | None = None,
    *,
    log: bool = False,
    distribution: Distribution | None = None,
    description: str | None = None,
) -> Part:
    """An integer parameter (Katib `int`) from `min` to `max`, both included."""
    return _collect(locals(), _here(), fixed={"type": "int"})


def choice(*values: Scalar | Sequence[Scalar], description: str | None = None) -> Part:
    """A categorical parameter: one of `values` (numbers included, taken as labels).
    `choice("sgd", "adam")`; a single list or tuple is spread: `choice(OPTIMIZERS)`."""
    return _listed("categorical", values, description)


def discrete(*values: float | Sequence[float], description: str | None = None) -> Part:
    """A discrete parameter: one of the given numbers, e.g. `discrete(16, 32, 64)`."""
    return _listed("discrete", values, description)


def _listed(kind: str, values: tuple[Any, ...], description: str | None) -> Part:
    site = _site()
    part = Part(site.position)
    part["type"] = kind
    nodes: list[ast.expr] = site.positional()
    if len(values) == 1 and isinstance(values[0], list | tuple):
        values = tuple(values[0])
        nodes = _elements(nodes[0]) if nodes else []
    part["values"] = list(values)
    for i, value in enumerate(values):
        _record(part, ("values", i), value, nodes[i] if i < len(nodes) else None, site)
    if description is not None:
        _put(part, site, ("description",), description, site.keyword("description"))
    return part


def named(name: str, parameter: Mapping[str, Any]) -> Part:
    """A parameter with its name, for the list form of `parameters` (and of a NAS operation's
    parameters): `parameters=[named("lr", floats(0.01, 0.1))]`."""
    site = _site()
    part = Part(site.position)
    nodes = site.positional()
    _put(part, site, ("name",), name, nodes[0] if nodes else site.keyword("name"))
    given = nodes[1] if len(nodes) > 1 else site.keyword("parameter")
    for key, value in parameter.items():
        part[key] = value
    _record(part, (), parameter, given, site)
    part.values_at[()] = site.position
    return part


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


def _head_and_mapping(
    head: tuple[str, Any], mapping: tuple[str, Mapping[str, Any] | None], more: dict[str, Any]
) -> Part:
    """`f(head, mapping=None, /, **more)`: the mapping and the keywords merged into one, each
    entry located where it was written."""
    site = _site()
    part = Part(site.position)
    nodes = site.positional()
    _put(part, site, (head[0],), head[1], nodes[0] if nodes else None)
    key, given = mapping
    if not given and not more:
        return part
    part[key] = {**(given or {}), **more}
    if given:
        _record(part, (key,), given, nodes[1] if len(nodes) > 1 else None, site)
    for name, value in more.items():
        _record(part, (key, name), value, site.keyword(name), site)
        site.record_key(part, (key, name), site.keyword_itself(name))
    return part


def budget(
    max: int | None = None, parallel: int | None = None, failures: int | None = None
) -> Part:
    """The trial budget: `max` trials in all, `parallel` at once, and `failures` failed trials
    that fail the experiment. The same as `dict(max=..., parallel=..., failures=...)`."""
    return _collect(locals(), _here())


# ---------------------------------------------------------------- trials


def job(
    image: str | None = None,
    command: Sequence[str] | None = None,
    args: Sequence[str] | None = None,
    *,
    env: Env | None = None,
    resources: Mapping[str, Any] | None = None,
    deadline: int | None = None,
    container: Mapping[str, Any] | None = None,
    pod: Mapping[str, Any] | None = None,
    pod_metadata: Mapping[str, Any] | None = None,
    job: Mapping[str, Any] | None = None,
    parameters: TrialParameters | None = None,
    retain: bool = False,
    primary_pod_labels: Mapping[str, str] | None = None,
    primary_container: str | None = None,
    success_condition: str | None = None,
    failure_condition: str | None = None,
) -> Part:
    """Each trial is a Kubernetes Job running `image` with `command`/`args` (`${name}` stands
    for a parameter). env: name to value, or Kubernetes EnvVars. resources: {cpu, memory, gpu}
    (requests = limits) or {requests, limits}. deadline: seconds a trial may run. container,
    pod, pod_metadata, job: more fields of the container, the pod spec, the pod's metadata and
    the Job's spec. parameters: Katib trialParameters written out (normally derived).
    retain: keep finished jobs. The rest are Katib's trialTemplate fields."""
    return _trial(None, locals(), _here())


def tfjob(
    image: str | None = None,
    command: Sequence[str] | None = None,
    args: Sequence[str] | None = None,
    *,
    workers: int | None = None,
    replicas: Mapping[str, int] | None = None,
    env: Env | None = None,
    resources: Mapping[str, Any] | None = None,
    deadline: int | None = None,
    container: Mapping[str, Any] | None = None,
    pod: Mapping[str, Any] | None = None,
    pod_metadata: Mapping[str, Any] | None = None,
    job: Mapping[str, Any] | None = None,
    parameters: TrialParameters | None = None,
    retain: bool = False,
    primary_pod_labels: Mapping[str, str] | None = None,
    primary_container: str | None = None,
    success_condition: str | None = None,
    failure_condition: str | None = None,
) -> Part:
    """Each trial is a TFJob: `workers` Worker replicas, or `replicas` by type
    ({"Chief": 1, "Worker": 2}). Other arguments as for `job`."""
    return _trial("TFJob", locals(), _here())


def pytorchjob(
    image: str | None = None,
    command: Sequence[str] | None = None,
    args: Sequence[str] | None = None,
    *,
    workers: int | None = None,
    replicas: Mapping[str, int] | None = None,
    env: Env | None = None,
    resources: Mapping[str, Any] | None = None,
    deadline: int | None = None,
    container: Mapping[str, Any] | None = None,
    pod: Mapping[str, Any] | None = None,
    pod_metadata: Mapping[str, Any] | None = None,
    job: Mapping[str, Any] | None = None,
    parameters: TrialParameters | None = None,
    retain: bool = False,
    primary_pod_labels: Mapping[str, str] | None = None,
    primary_container: str | None = None,
    success_condition: str | None = None,
    failure_condition: str | None = None,
) -> Part:
    """Each trial is a PyTorchJob: one Master plus `workers` Workers, or `replicas` by type.
    Other arguments as for `job`."""
    return _trial("PyTorchJob", locals(), _here())


def mpijob(
    image: str | None = None,
    command: Sequence[str] | None = None,
    args: Sequence[str] | None = None,
    *,
    workers: int | None = None,
    replicas: Mapping[str, int] | None = None,
    env: Env | None = None,
    resources: Mapping[str, Any] | None = None,
    deadline: int | None = None,
    container: Mapping[str, Any] | None = None,
    pod: Mapping[str, Any] | None = None,
    pod_metadata: Mapping[str, Any] | None = None,
    job: Mapping[str, Any] | None = None,
    parameters: TrialParameters | None = None,
    retain: bool = False,
    primary_pod_labels: Mapping[str, str] | None = None,
    primary_container: str | None = None,
    success_condition: str | None = None,
    failure_condition: str | None = None,
) -> Part:
    """Each trial is an MPIJob: a Launcher running the command plus `workers` Workers.
    Other arguments as for `job`."""
    return _trial("MPIJob", locals(), _here())


def xgboostjob(
    image: str | None = None,
    command: Sequence[str] | None = None,
    args: Sequence[str] | None = None,
    *,
    workers: int | None = None,
    replicas: Mapping[str, int] | None = None,
    env: Env | None = None,
    resources: Mapping[str, Any] | None = None,
    deadline: int | None = None,
    container: Mapping[str, Any] | None = None,
    pod: Mapping[str, Any] | None = None,
    pod_metadata: Mapping[str, Any] | None = None,
    job: Mapping[str, Any] | None = None,
    parameters: TrialParameters | None = None,
    retain: bool = False,
    primary_pod_labels: Mapping[str, str] | None = None,
    primary_container: str | None = None,
    success_condition: str | None = None,
    failure_condition: str | None = None,
) -> Part:
    """Each trial is an XGBoostJob: one Master plus `workers` Workers, or `replicas` by type.
    Other arguments as for `job`."""
    return _trial("XGBoostJob", locals(), _here())


def trainjob(
    image: str | None = None,
    command: Sequence[str] | None = None,
    args: Sequence[str] | None = None,
    *,
    workers: int | None = None,
    runtime: str | None = None,
    env: Env | None = None,
    resources: Mapping[str, Any] | None = None,
    job: Mapping[str, Any] | None = None,
    parameters: TrialParameters | None = None,
    retain: bool = False,
    primary_pod_labels: Mapping[str, str] | None = None,
    primary_container: str | None = None,
    success_condition: str | None = None,
    failure_condition: str | None = None,
) -> Part:
    """Each trial is a Kubeflow Trainer TrainJob on `runtime` (default torch-distributed) with
    `workers` nodes (numNodes); resources are per node. Other arguments as for `job`."""
    return _trial("TrainJob", locals(), _here())


def raw(
    spec: Mapping[str, Any],
    parameters: TrialParameters | None = None,
    *,
    retain: bool = False,
    primary_pod_labels: Mapping[str, str] | None = None,
    primary_container: str | None = None,
    success_condition: str | None = None,
    failure_condition: str | None = None,
) -> Part:
    """Each trial is `spec`, a whole trialSpec of any kind (Argo Workflow, Tekton, ...);
    `${name}` works in any of its strings. `parameters`: trialParameters, written out, as
    {name: reference} or a list of {name, reference, description}; normally derived."""
    return _trial(None, locals(), _here())


def configmap(
    name: str,
    namespace: str,
    key: str,
    parameters: TrialParameters | None = None,
    *,
    retain: bool = False,
    primary_pod_labels: Mapping[str, str] | None = None,
    primary_container: str | None = None,
    success_condition: str | None = None,
    failure_condition: str | None = None,
) -> Part:
    """Each trial comes from a template shared through a ConfigMap: `name` in `namespace`, the
    template under data key `key`. Other arguments as for `raw`."""
    return _trial(
        None,
        locals(),
        _here(),
        nest={"name": "configMap", "namespace": "configMap", "key": "configMap"},
    )


def _trial(
    kind: str | None, args: dict[str, Any], code: Any, nest: Mapping[str, str] | None = None
) -> Part:
    params = args.get("parameters")
    part = _collect(args, code, fixed={"kind": kind} if kind else None, nest=nest)
    if isinstance(params, dict):
        _trial_parameters(part, params)
    return part


def _trial_parameters(part: Part, given: dict[str, Any]) -> None:
    """{name: reference} → [{name, reference}], moving each recorded position along."""
    listed: list[dict[str, Any]] = []
    moved: dict[Path, Position] = {}
    for i, (name, reference) in enumerate(given.items()):
        listed.append({"name": name, "reference": reference})
        for path, at in part.values_at.items():
            if path[:2] == ("parameters", name):
                moved[("parameters", i, "reference", *path[2:])] = at
        if ("parameters", name) in part.keys_at:
            at = part.keys_at.pop(("parameters", name))
            moved[("parameters", i)] = moved[("parameters", i, "name")] = at
    part.values_at = {
        p: a for p, a in part.values_at.items() if p[:1] != ("parameters",) or len(p) == 1
    } | moved
    part["parameters"] = listed


# ---------------------------------------------------------------- metrics, NAS, local runs


def metrics(
    collector: Collector | None = None,
    *,
    path: str | None = None,
    format: Literal["TEXT", "JSON"] | None = None,
    filter: Sequence[str] | None = None,
    source: Mapping[str, Any] | None = None,
    custom: Mapping[str, Any] | None = None,
    raw: Mapping[str, Any] | None = None,
) -> Part:
    """How trial metrics are collected. collector: StdOut (Katib's default), File,
    TensorFlowEvent, PrometheusMetric, Custom or Push. path/format: where a File or
    TensorFlowEvent collector reads. filter: regexes with two groups, name and value.
    source, custom, raw: Katib's own metricsCollectorSpec parts, for anything else."""
    return _collect(locals(), _here())


def nas(
    layers: int | None = None,
    inputs: Sequence[int] | None = None,
    outputs: Sequence[int] | None = None,
    operations: Mapping[str, Mapping[str, Any]] | Sequence[Mapping[str, Any]] | None = None,
) -> Part:
    """Neural architecture search (DARTS, ENAS): the graph (`layers`, `inputs`, `outputs`) and
    the `operations`, {type: {parameter: range or list}} or a list of `operation(...)`."""
    return _collect(locals(), _here())


def operation(type: str, parameters: Mapping[str, Any] | None = None, /, **more: Any) -> Part:
    """One NAS operation for the list form: `operation("convolution", filter_size=choice(3, 5))`."""
    return _head_and_mapping(("type", type), ("parameters", parameters), more)


def local(
    command: Sequence[str] | None = None,
    workdir: str | None = None,
    env: Mapping[str, str] | None = None,
) -> Part:
    """How `katib-gitops run` runs a trial on this machine when the image's command is not
    runnable here: a replacement `command`, its `workdir` and more `env`."""
    return _collect(locals(), _here())


# ---------------------------------------------------------------- building a Part

_DEFAULT_FALSE = frozenset({"log", "retain"})


def _code_of(func: Any) -> Any:
    return func.__code__


def _here(depth: int = 1) -> Any:
    """The code of the helper calling (its argument names; a helper's own name may be shadowed
    by one of its arguments, as `job(job=...)`)."""
    return sys._getframe(depth).f_code


def _collect(
    args: dict[str, Any],
    code: Any,
    *,
    fixed: Mapping[str, Any] | None = None,
    rename: Mapping[str, str] | None = None,
    nest: Mapping[str, str] | None = None,
    site: _Site | None = None,
) -> Part:
    """A Part from a helper's arguments (`code` gives their names and order): None, and a
    default False, left out; snake_case names written as the spec's camelCase; each value
    located at the argument that gave it."""
    site = site or _site()
    part = Part(site.position)
    part.update(fixed or {})
    names = code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]
    positional = site.positional()[: code.co_argcount]
    for index, arg in enumerate(names):
        value = args.get(arg)
        if value is None or (value is False and arg in _DEFAULT_FALSE):
            continue
        node = positional[index] if index < len(positional) else site.keyword(arg)
        key = _camel((rename or {}).get(arg, arg))
        path: Path = (nest[arg], key) if nest and arg in nest else (key,)
        _put(part, site, path, value, node)
        site.record_key(part, path, site.keyword_itself(arg))
    return part


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(w[:1].upper() + w[1:] for w in rest)


def _put(part: Part, site: _Site, path: Path, value: Any, node: ast.AST | None) -> None:
    """Store `value` at `path` (one or two keys deep); record where it and its parts were."""
    target: dict[str, Any] = part
    for key in path[:-1]:
        target = target.setdefault(str(key), {})
    target[str(path[-1])] = value
    _record(part, path, value, node, site)


def _record(part: Part, path: Path, value: Any, node: ast.AST | None, site: _Site) -> None:
    """Record where `value` (at `path` inside `part`) and everything inside it were written:
    a nested Part where it was built, anything else at its syntax node when written in place."""
    if isinstance(value, Part):
        for sub, at in value.values_at.items():
            part.values_at[(*path, *sub)] = at
        for sub, at in value.keys_at.items():
            part.keys_at[(*path, *sub)] = at
        return
    if node is not None:
        part.values_at[path] = site.at(node)
    if len(path) > MAX_DEPTH:
        return
    if isinstance(value, dict):
        items = _items(node)
        for key, sub in value.items():
            key_node, value_node = items.get(key, (None, None))
            site.record_key(part, (*path, key), key_node)
            _record(part, (*path, key), sub, value_node, site)
    elif isinstance(value, list | tuple):
        elements = _elements(node)
        for i, sub in enumerate(value):
            _record(part, (*path, i), sub, elements[i] if i < len(elements) else None, site)


def _items(node: ast.AST | None) -> dict[Any, tuple[ast.AST, ast.expr]]:
    """The key and value nodes of a dict literal or of a `dict(a=...)` call, by key."""
    if isinstance(node, ast.Dict):
        return {
            k.value: (k, v)
            for k, v in zip(node.keys, node.values, strict=True)
            if isinstance(k, ast.Constant)
        }
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict":
        return {kw.arg: (kw, kw.value) for kw in node.keywords if kw.arg is not None}
    return {}


def _elements(node: ast.AST | None) -> list[ast.expr]:
    """The items of a list or tuple literal, unless a `*spread` makes the indexes unknowable."""
    if isinstance(node, ast.List | ast.Tuple) and not any(
        isinstance(e, ast.Starred) for e in node.elts
    ):
        return list(node.elts)
    return []


# ---------------------------------------------------------------- plain JSON data


def _plain(value: Any, path: Path, where: dict[Path, Position], depth: int) -> Any:
    """A deep copy in JSON's own types (what a YAML spec can hold), or a located SpecError."""
    if depth > MAX_DEPTH:
        raise SpecError(
            f"the data is nested more than {MAX_DEPTH} levels deep (does it contain itself?)",
            _nearest(where, path),
        )
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise SpecError(
                f"{_at(path)}: {value} cannot be written in a spec", _nearest(where, path)
            )
        return value
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, sub in value.items():
            if not isinstance(key, str):
                raise SpecError(
                    f"{_at(path)}: keys must be strings, not {type(key).__name__} {key!r}",
                    _nearest(where, path),
                )
            out[key] = _plain(sub, (*path, key), where, depth + 1)
        return out
    if isinstance(value, list | tuple):
        return [_plain(sub, (*path, i), where, depth + 1) for i, sub in enumerate(value)]
    raise SpecError(
        f"{_at(path)}: a value of type {type(value).__name__} cannot be written in a spec "
        "(use str, int, float, bool, None, lists and dicts)",
        _nearest(where, path),
    )


def _at(path: Path) -> str:
    return ".".join(str(p) for p in path) or "the experiment"


def _nearest(where: dict[Path, Position], path: Path) -> Position | None:
    probe = path
    while probe not in where and probe:
        probe = probe[:-1]
    return where.get(probe)


# ---------------------------------------------------------------- where a call was written

_SELF = _code_of(_camel).co_filename
_spec_file: str | None = None
_sources: dict[str, _Source] = {}


def _prepare(file: str, source: bytes) -> None:
    """Called by the sandbox before it runs a spec: the spec's file, whose frames are the
    caller's even when the spec calls a helper through a function of its own, and its source
    (so the DSL never needs to read files)."""
    global _spec_file  # noqa: PLW0603 - one spec per process
    _spec_file = file
    _sources[file] = _Source(source)


class _Source:
    """A file's lines (to turn byte offsets into columns) and its calls by position."""

    __slots__ = ("calls", "lines")

    def __init__(self, source: bytes) -> None:
        self.lines = source.splitlines()
        self.calls: dict[tuple[int, int], ast.Call] = {}
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                self.calls.setdefault((node.lineno, node.col_offset), node)


def _source(file: str) -> _Source | None:
    if file not in _sources:
        try:
            with open(file, "rb") as handle:  # noqa: PTH123 - pathlib is not imported here
                _sources[file] = _Source(handle.read())
        except (OSError, ValueError):
            return None
    return _sources[file]


def _column(source: _Source | None, line: int, offset: int | None) -> int:
    """A 1-based character column from a 0-based UTF-8 byte offset (0 when unknown)."""
    if offset is None or offset < 0:
        return 0
    if source is None or not 0 < line <= len(source.lines):
        return offset + 1
    return len(source.lines[line - 1][:offset].decode("utf-8", "replace")) + 1


class _Site:
    """Where a helper was called: the file, the position, and the call's syntax node."""

    __slots__ = ("call", "file", "position", "source")

    def __init__(
        self, file: str, position: Position, call: ast.Call | None, source: _Source | None
    ) -> None:
        self.file = file
        self.position = position
        self.call = call
        self.source = source

    def at(self, node: ast.AST) -> Position:
        line = getattr(node, "lineno", 0)
        return (line, _column(self.source, line, getattr(node, "col_offset", None)))

    def record_key(self, part: Part, path: Path, node: ast.AST | None) -> None:
        if node is not None:
            part.keys_at[path] = self.at(node)

    def positional(self) -> list[ast.expr]:
        """The positional argument nodes, up to the first `*spread`."""
        if self.call is None:
            return []
        out: list[ast.expr] = []
        for arg in self.call.args:
            if isinstance(arg, ast.Starred):
                break
            out.append(arg)
        return out

    def keyword(self, name: str) -> ast.expr | None:
        found = self.keyword_itself(name)
        return found.value if found is not None else None

    def keyword_itself(self, name: str) -> ast.keyword | None:
        if self.call is None:
            return None
        return next((kw for kw in self.call.keywords if kw.arg == name), None)


def _site() -> _Site:
    """The innermost caller outside this module; in a sandboxed spec, the innermost frame of
    the spec file itself (a helper may be called through the spec's own functions)."""
    frame = _caller()
    code = frame.f_code
    line, col = frame.f_lineno, None
    position = _instruction_position(frame)
    if position is not None:
        line, col = position
    source = _source(code.co_filename)
    call = source.calls.get((line, col)) if source is not None and col is not None else None
    return _Site(code.co_filename, (line, _column(source, line, col)), call, source)


def _caller() -> FrameType:
    frame: FrameType | None = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename == _SELF:
        frame = frame.f_back
    if frame is None:  # pragma: no cover - a helper is always called from somewhere
        raise SpecError("the DSL was called from nowhere")
    if _spec_file is not None:
        probe: FrameType | None = frame
        while probe is not None and probe.f_code.co_filename != _spec_file:
            probe = probe.f_back
        return probe or frame
    return frame


def _instruction_position(frame: FrameType) -> tuple[int, int] | None:
    """The start (line, byte offset) of the call being executed in `frame` (Python 3.11's
    `co_positions`: one entry per 2-byte code unit)."""
    index = frame.f_lasti // 2
    for i, entry in enumerate(frame.f_code.co_positions()):
        if i == index:
            line, _, col, _ = entry
            return (line, col) if line is not None and col is not None else None
    return None
