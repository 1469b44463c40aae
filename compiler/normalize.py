"""ExperimentSpec → the Katib Experiment manifest it stands for (before Katib's defaults),
plus where each part came from, so that Katib's findings can be reported at the spec's lines.

Pure: no files, no clock. The trial template is built by `compiler.trialtemplate`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from compiler.model.source import Path
from compiler.model.spec import (
    Algorithm,
    ExperimentSpec,
    Nas,
    Parameter,
    ParameterForm,
    Scalar,
    Setting,
    Settings,
    parameter_items,
)
from compiler.trialtemplate import Problem, build_trial_template
from compiler.values import bound_text, scalar_text

API_VERSION = "kubeflow.org/v1beta1"
DEFAULT_PARALLEL = 3


@dataclass(frozen=True)
class SpecContext:
    file: str  # the spec's path as shown in messages (relative to the repository)
    namespace: str = "default"  # from the folder: specs/<namespace>/...


@dataclass
class Normalized:
    manifest: dict[str, Any]
    origin: dict[Path, Path] = field(default_factory=dict)  # Katib path → spec path
    problems: list[Problem] = field(default_factory=list)


def normalize(spec: ExperimentSpec, ctx: SpecContext) -> Normalized:
    out = Normalized({})
    o = out.origin
    meta: dict[str, Any] = {"name": spec.name, "namespace": spec.namespace or ctx.namespace}
    o[("metadata", "name")] = ("name",)
    o[("metadata", "namespace")] = ("namespace",) if spec.namespace else ()
    if spec.labels:
        meta["labels"] = dict(spec.labels)
        o[("metadata", "labels")] = ("labels",)
    if spec.annotations:
        meta["annotations"] = dict(spec.annotations)
        o[("metadata", "annotations")] = ("annotations",)
    body: dict[str, Any] = {}
    if spec.parameters:
        body["parameters"] = _parameters(
            spec.parameters, ("parameters",), ("spec", "parameters"), out
        )
    body["objective"] = _objective(spec, o)
    body["algorithm"] = _algorithm(spec.algorithm, ("algorithm",), ("spec", "algorithm"), o)
    if spec.earlyStopping is not None:
        body["earlyStopping"] = _algorithm(
            spec.earlyStopping, ("earlyStopping",), ("spec", "earlyStopping"), o
        )
    template = build_trial_template(spec, out.problems)
    body["trialTemplate"] = template.value
    for k, v in template.origin.items():
        o[("spec", "trialTemplate", *k)] = ("trial", *v)
    o[("spec", "trialTemplate")] = ("trial",)
    _budget(spec, body, o)
    collector = _metrics(spec)
    if collector is not None:
        body["metricsCollectorSpec"] = collector
        o[("spec", "metricsCollectorSpec")] = ("metrics",)
    if spec.nas is not None:
        body["nasConfig"] = _nas(spec.nas, out)
    if spec.resume is not None:
        body["resumePolicy"] = spec.resume
        o[("spec", "resumePolicy")] = ("resume",)
    out.manifest = {"apiVersion": API_VERSION, "kind": "Experiment", "metadata": meta, "spec": body}
    return out


def _objective(spec: ExperimentSpec, o: dict[Path, Path]) -> dict[str, Any]:
    obj = spec.objective
    if obj.maximize is not None:
        kind, metric, key = "maximize", obj.maximize, "maximize"
    elif obj.minimize is not None:
        kind, metric, key = "minimize", obj.minimize, "minimize"
    else:
        kind, metric, key = obj.type or "", obj.metric or "", "metric"
    out: dict[str, Any] = {"type": kind, "objectiveMetricName": metric}
    base = ("spec", "objective")
    o[base] = ("objective",)
    o[(*base, "type")] = ("objective", key if key != "metric" else "type")
    o[(*base, "objectiveMetricName")] = ("objective", key)
    if obj.goal is not None:
        out["goal"] = obj.goal
        o[(*base, "goal")] = ("objective", "goal")
    if obj.also:
        out["additionalMetricNames"] = list(obj.also)
        o[(*base, "additionalMetricNames")] = ("objective", "also")
    if obj.strategies:
        pairs: list[tuple[str | int, str, str]] = (
            [(k, k, v) for k, v in obj.strategies.items()]
            if isinstance(obj.strategies, dict)
            else [(i, s.name, s.value) for i, s in enumerate(obj.strategies)]
        )
        out["metricStrategies"] = [{"name": name, "value": value} for _, name, value in pairs]
        for i, (where, _, _) in enumerate(pairs):
            o[(*base, "metricStrategies", i)] = ("objective", "strategies", where)
    return out


def _algorithm(
    value: str | Algorithm, spath: Path, kpath: Path, o: dict[Path, Path]
) -> dict[str, Any]:
    o[kpath] = spath
    if isinstance(value, str):
        o[(*kpath, "algorithmName")] = spath
        return {"algorithmName": value}
    o[(*kpath, "algorithmName")] = (*spath, "name")
    out: dict[str, Any] = {"algorithmName": value.name}
    settings = _settings(value.settings)
    if settings:
        out["algorithmSettings"] = settings
        for i, s in enumerate(settings):
            key: str | int = s["name"] if isinstance(value.settings, dict) else i
            o[(*kpath, "algorithmSettings", i)] = (*spath, "settings", key)
    return out


def _settings(settings: Settings) -> list[dict[str, str]]:
    pairs: list[tuple[str, Scalar]] = (
        list(settings.items())
        if isinstance(settings, dict)
        else [(s.name, s.value) for s in settings if isinstance(s, Setting)]
    )
    return [{"name": k, "value": scalar_text(v)} for k, v in pairs]


def _budget(spec: ExperimentSpec, body: dict[str, Any], o: dict[Path, Path]) -> None:
    t = spec.trials
    parallel = t.parallel
    if parallel is None and t.max is not None and 0 < t.max < DEFAULT_PARALLEL:
        parallel = t.max  # Katib's default of 3 would exceed the budget (V-6)
    for key, value, skey in (
        ("parallelTrialCount", parallel, "parallel"),
        ("maxTrialCount", t.max, "max"),
        ("maxFailedTrialCount", t.failures, "failures"),
    ):
        o[("spec", key)] = ("trials", skey) if getattr(t, skey) is not None else ("trials",)
        if value is not None:
            body[key] = value


def _parameters(
    params: dict[str, ParameterForm], spath: Path, kpath: Path, norm: Normalized
) -> list[dict[str, Any]]:
    out = []
    for i, (key, name, form) in enumerate(parameter_items(params)):
        here = (*spath, key)
        norm.origin[(*kpath, i)] = here
        norm.origin[(*kpath, i, "name")] = here
        p = form if isinstance(form, Parameter) else Parameter(values=list(form))
        out.append(_parameter(name, p, here, (*kpath, i), norm))
    return out


def _parameter(
    name: str, p: Parameter, here: Path, kpath: Path, norm: Normalized
) -> dict[str, Any]:
    o, problems = norm.origin, norm.problems
    space: dict[str, Any] = {}
    fs = (*kpath, "feasibleSpace")
    o[fs] = here
    if p.values is not None:
        if (p.min is not None or p.max is not None or p.step is not None) and p.type != "unknown":
            problems.append(
                Problem(
                    "SPEC-PARAMETER",
                    f"parameter {name!r} has both values and a range",
                    here,
                    "give either a list of values or min and max",
                )
            )
        numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v in p.values)
        kind: str = p.type or ("discrete" if numeric and p.values else "categorical")
        space["list"] = [scalar_text(v) for v in p.values]
        for j in range(len(p.values)):
            o[(*fs, "list", j)] = (*here, j) if p.type is None else (*here, "values", j)
        if p.type == "unknown":  # the one type Katib lets carry a list and a range
            _bounds(p, here, fs, space, o)
    else:
        if p.min is None or p.max is None:
            problems.append(
                Problem(
                    "SPEC-PARAMETER",
                    f"parameter {name!r} needs min and max, or a list of values",
                    here,
                    "e.g. {min: 0.01, max: 0.1}",
                )
            )
        kind = p.type or _range_type(p)
        _bounds(p, here, fs, space, o)
    distribution = p.distribution or ("logUniform" if p.log else None)
    if p.log and p.distribution not in (None, "logUniform"):
        problems.append(
            Problem(
                "SPEC-PARAMETER",
                f"parameter {name!r}: log: true contradicts distribution {p.distribution}",
                here,
                "keep one of them",
            )
        )
    if distribution:
        space["distribution"] = distribution
        o[(*fs, "distribution")] = (*here, "distribution" if p.distribution else "log")
    o[(*kpath, "parameterType")] = (*here, "type") if p.type else here
    return {"name": name, "parameterType": kind, "feasibleSpace": space}


def _bounds(p: Parameter, here: Path, fs: Path, space: dict[str, Any], o: dict[Path, Path]) -> None:
    """min, max and step, as the strings Katib stores."""
    for key in ("min", "max", "step"):
        value = getattr(p, key)
        if value is not None:
            space[key] = bound_text(value)
            o[(*fs, key)] = (*here, key)


def _range_type(p: Parameter) -> str:
    """Whole-number bounds (and step) give int; anything else double."""
    bounds = [b for b in (p.min, p.max, p.step) if b is not None]
    if bounds and all(_is_whole(b) for b in bounds):
        return "int"
    return "double"


def _is_whole(value: int | float | str) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    if isinstance(value, str):
        try:
            int(value)
        except ValueError:
            return False
        return True
    return False


def _nas(nas: Nas, norm: Normalized) -> dict[str, Any]:
    o = norm.origin
    base = ("spec", "nasConfig")
    o[base] = ("nas",)
    graph: dict[str, Any] = {}
    if nas.layers is not None:
        graph["numLayers"] = nas.layers
        o[(*base, "graphConfig", "numLayers")] = ("nas", "layers")
    if nas.inputs:
        graph["inputSizes"] = list(nas.inputs)
        o[(*base, "graphConfig", "inputSizes")] = ("nas", "inputs")
    if nas.outputs:
        graph["outputSizes"] = list(nas.outputs)
        o[(*base, "graphConfig", "outputSizes")] = ("nas", "outputs")
    ops = (
        [(k, v, ("nas", "operations", k)) for k, v in nas.operations.items()]
        if isinstance(nas.operations, dict)
        else [
            (op.type, op.parameters, ("nas", "operations", i, "parameters"))
            for i, op in enumerate(nas.operations)
        ]
    )
    operations = []
    for i, (op_type, params, spath) in enumerate(ops):
        kpath = (*base, "operations", i)
        o[kpath] = spath
        entry: dict[str, Any] = {"operationType": op_type}
        if params:
            entry["parameters"] = _parameters(params, spath, (*kpath, "parameters"), norm)
        operations.append(entry)
    out: dict[str, Any] = {"graphConfig": graph}
    if operations:
        out["operations"] = operations
    return out


def _metrics(spec: ExperimentSpec) -> dict[str, Any] | None:
    m = spec.metrics
    if m.raw is not None:
        return dict(m.raw)
    collector: dict[str, Any] = {}
    kind = m.collector or ("File" if m.path and m.collector is None else None)
    if kind is not None:
        collector["kind"] = kind
    if m.custom is not None:
        collector["customCollector"] = dict(m.custom)
    source: dict[str, Any] = dict(m.source or {})
    if m.path is not None or m.format is not None:
        fs = dict(source.get("fileSystemPath") or {})
        if m.path is not None:
            fs["path"] = m.path
            fs.setdefault("kind", "Directory" if kind == "TensorFlowEvent" else "File")
        if m.format is not None:
            fs["format"] = m.format
        source["fileSystemPath"] = fs
    if m.filter is not None:
        source["filter"] = {"metricsFormat": list(m.filter)} if m.filter else {}
    out: dict[str, Any] = {}
    if m.source is not None or source:
        out["source"] = source
    if collector:
        out["collector"] = collector
    return out or None
