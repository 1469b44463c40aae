"""The spec's sections for a stored Katib Experiment, each as a list of candidate forms: the
shortest first, then rawer ones. `compiler.imports.search` picks the first that compiles back to
the stored object. `None` means "leave the section out".

Every function reads the stored object (Katib's defaults filled in), so a value equal to Katib's
default can simply be left out.
"""

from __future__ import annotations

import contextlib
import copy
import json
from typing import Any

from compiler.admission.defaults import (
    DEFAULT_FILE_PATH,
    DEFAULT_PARALLEL_TRIAL_COUNT,
    DEFAULT_PROMETHEUS_PATH,
    DEFAULT_PROMETHEUS_PORT,
    DEFAULT_RESUME_POLICY,
    DEFAULT_TFEVENT_DIR,
    strategy_for,
)
from compiler.imports.text import typed
from compiler.pipeline import object_name

Form = Any
STRATEGIES = ("min", "max", "latest")
COLLECTORS = ("StdOut", "File", "TensorFlowEvent", "PrometheusMetric", "Custom", "Push")
_FS_DEFAULTS: dict[str, dict[str, str]] = {
    "File": {"kind": "File", "path": DEFAULT_FILE_PATH, "format": "TEXT"},
    "TensorFlowEvent": {"kind": "Directory", "path": DEFAULT_TFEVENT_DIR},
}


def unique(forms: list[Form]) -> list[Form]:
    """Without repeats; 1, 1.0 and True count as different (they compile differently)."""
    seen: set[str] = set()
    out: list[Form] = []
    for f in forms:
        text = json.dumps(f)
        if text not in seen:
            seen.add(text)
            out.append(f)
    return out


# --- metadata, budget, resume -----------------------------------------------------------------


def metadata(meta: dict[str, Any], folder: str, revision: str) -> dict[str, Any]:
    """A name that ends in its own revision is the spec's name with Katib's suffix; any other
    name is kept exactly (`revisionSuffix: false`)."""
    name = str(meta.get("name", ""))
    suffix = object_name("", revision)
    out: dict[str, Any] = {"name": name}
    if revision and name.endswith(suffix) and len(name) > len(suffix):
        out["name"] = name[: -len(suffix)]
    else:
        out["revisionSuffix"] = False
    namespace = meta.get("namespace")
    if namespace and namespace != folder:
        out["namespace"] = namespace
    for key in ("labels", "annotations"):
        if meta.get(key):
            out[key] = dict(meta[key])
    return out


def trials_forms(spec: dict[str, Any]) -> list[Form]:
    """{max, parallel, failures}; parallel only when it differs from what the compiler implies
    (Katib's 3, or `max` when that is smaller)."""
    most, parallel = spec.get("maxTrialCount"), spec.get("parallelTrialCount")
    failures = spec.get("maxFailedTrialCount")
    small = most is not None and 0 < most < DEFAULT_PARALLEL_TRIAL_COUNT
    implied = most if small else DEFAULT_PARALLEL_TRIAL_COUNT
    short: dict[str, Any] = {}
    full: dict[str, Any] = {}
    if most is not None:
        short["max"] = full["max"] = most
    if parallel is not None:
        full["parallel"] = parallel
        if parallel != implied:
            short["parallel"] = parallel
    if failures is not None:
        short["failures"] = full["failures"] = failures
    return unique([short or None, full or None])


def resume_forms(spec: dict[str, Any]) -> list[Form]:
    policy = spec.get("resumePolicy")
    return unique([None if policy in (None, DEFAULT_RESUME_POLICY) else policy, policy])


# --- objective and algorithms -------------------------------------------------------------------


def objective_forms(obj: dict[str, Any] | None) -> list[Form]:
    if obj is None:
        return [None]
    kind, metric = obj.get("type", ""), obj.get("objectiveMetricName", "")
    head: dict[str, Any] = (
        {kind: metric} if kind in ("maximize", "minimize") else {"type": kind, "metric": metric}
    )
    if "goal" in obj:
        head["goal"] = obj["goal"]
    also = list(obj.get("additionalMetricNames") or [])
    if also:
        head["also"] = also
    stored = [(s.get("name", ""), s.get("value", "")) for s in obj.get("metricStrategies") or []]
    shortest = next(
        (k for k in range(len(stored)) if _defaulted(stored[:k], kind, metric, also) == stored),
        len(stored),
    )
    forms = []
    for pairs, as_list in ((stored[:shortest], False), (stored, False), (stored, True)):
        form = dict(head)
        if pairs:
            form["strategies"] = _strategies(pairs, as_list)
        forms.append(form)
    return unique(forms)


def _defaulted(
    pairs: list[tuple[str, str]], kind: str, metric: str, also: list[str]
) -> list[tuple[str, str]]:
    """Katib's metricStrategies default (`admission.defaults._objective`), on name-value pairs."""
    value = strategy_for(kind)
    out = list(pairs)
    named = {n for n, _ in pairs if n != metric}
    if not any(n == metric for n, _ in pairs):
        out.append((metric, value))
    out += [(name, value) for name in also if name not in named]
    return out


def _strategies(pairs: list[tuple[str, str]], as_list: bool) -> Form:
    names = [n for n, _ in pairs]
    if not as_list and len(set(names)) == len(names) and all(v in STRATEGIES for _, v in pairs):
        return dict(pairs)
    return [{"name": n, "value": v} for n, v in pairs]


def algorithm_forms(algo: dict[str, Any] | None) -> list[Form]:
    """`random`, or {name, settings}: settings by name (numbers where they round-trip), or a
    list when a name repeats."""
    if algo is None:
        return [None]
    name = algo.get("algorithmName", "")
    settings = [
        (s.get("name", ""), s.get("value", "")) for s in algo.get("algorithmSettings") or []
    ]
    if not settings:
        return [name, {"name": name}]
    forms: list[Form] = []
    if len({n for n, _ in settings}) == len(settings):
        forms.append({"name": name, "settings": {n: typed(v) for n, v in settings}})
        forms.append({"name": name, "settings": dict(settings)})
    for value in (typed, str):
        listed = [{"name": n, "value": value(v)} for n, v in settings]
        forms.append({"name": name, "settings": listed})
    return unique(forms)


# --- parameters -----------------------------------------------------------------------------


def parameter_forms(p: dict[str, Any], description: str | None, defaulted: bool) -> list[Form]:
    """A search parameter (or a NAS operation's, whose distribution Katib does not default):
    a bare list, {min, max, step}, then with `type`, then with the stored strings."""
    kind = p.get("parameterType", "")
    fs = p.get("feasibleSpace") or {}
    tail = _distribution(fs.get("distribution"), defaulted)
    if description:
        tail["description"] = description
    bounds = {k: fs[k] for k in ("min", "max", "step") if k in fs}
    values = fs.get("list")
    forms: list[Form] = []
    if values is not None and not bounds:
        forms += _list_forms(kind, list(values), tail)
    else:
        extra = {} if values is None else {"values": [typed(v) for v in values]}
        as_numbers = {k: typed(v) for k, v in bounds.items()}
        if range_type(as_numbers) == kind and not extra:
            forms.append({**as_numbers, **tail})
        forms.append({"type": kind, **as_numbers, **extra, **tail})
        strings = {} if values is None else {"values": list(values)}
        forms.append({"type": kind, **bounds, **strings, **tail})
    return unique(forms)


def _distribution(distribution: str | None, defaulted: bool) -> dict[str, Any]:
    if distribution is None or (defaulted and distribution == "uniform"):
        return {}
    if distribution == "logUniform":
        return {"log": True}
    return {"distribution": distribution}


def _list_forms(kind: str, values: list[str], tail: dict[str, Any]) -> list[Form]:
    as_typed = [typed(v, booleans=False) for v in values]
    numeric = bool(as_typed) and all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in as_typed
    )
    inferred = "discrete" if numeric else "categorical"
    forms: list[Form] = []
    if not tail and inferred == kind:
        forms.append(as_typed)
    if not tail and kind == "categorical" and values:
        forms.append(list(values))  # all strings: categorical (e.g. ['3', '5'])
    if inferred == kind:
        forms.append({"values": as_typed, **tail})
    forms.append({"type": kind, "values": as_typed, **tail})
    forms.append({"type": kind, "values": list(values), **tail})
    return forms


def range_type(bounds: dict[str, Any]) -> str:
    """What the compiler infers (`normalize._range_type`): whole numbers give int."""
    whole = [
        (isinstance(b, int) and not isinstance(b, bool))
        or (isinstance(b, str) and b.lstrip("-").isdigit())
        for b in bounds.values()
    ]
    return "int" if whole and all(whole) else "double"


def parameters_forms(
    params: list[dict[str, Any]], descriptions: dict[str, str], defaulted: bool = True
) -> list[list[Form]]:
    """Per parameter, its candidate forms (each to be placed under its name)."""
    return [parameter_forms(p, descriptions.get(p.get("name", "")), defaulted) for p in params]


def assemble_parameters(params: list[dict[str, Any]], forms: list[Form]) -> dict[str, Form]:
    """By name; a name seen before goes under a new key and says its name (`name:`)."""
    names = [str(p.get("name", "")) for p in params]
    out: dict[str, Form] = {}
    for name, form in zip(names, forms, strict=True):
        if name not in out:
            out[name] = form
            continue
        n = 2
        while f"{name} ({n})" in out or f"{name} ({n})" in names:
            n += 1
        as_dict = {"values": form} if isinstance(form, list) else dict(form)
        out[f"{name} ({n})"] = {"name": name, **as_dict}
    return out


# --- NAS ------------------------------------------------------------------------------------


def nas_forms(nas: dict[str, Any] | None) -> list[Form]:
    if nas is None:
        return [None]
    graph = nas.get("graphConfig") or {}
    head: dict[str, Any] = {}
    if "numLayers" in graph:
        head["layers"] = graph["numLayers"]
    for key, ours in (("inputSizes", "inputs"), ("outputSizes", "outputs")):
        if graph.get(key):
            head[ours] = list(graph[key])
    ops = nas.get("operations") or []
    forms = []
    for pick in (0, -1):  # each parameter's shortest form, then its most explicit one
        form = dict(head)
        if ops:
            form["operations"] = _operations(ops, pick)
        forms.append(form)
    return unique(forms)


def _operations(ops: list[dict[str, Any]], pick: int) -> Form:
    entries = []
    for op in ops:
        params = op.get("parameters") or []
        forms = [parameter_forms(p, None, defaulted=False)[pick] for p in params]
        entries.append((op.get("operationType", ""), assemble_parameters(params, forms)))
    types = [t for t, _ in entries]
    if len(set(types)) == len(types):
        return dict(entries)
    return [{"type": t, "parameters": p} if p else {"type": t} for t, p in entries]


# --- metrics collection ---------------------------------------------------------------------


def metrics_forms(mc: dict[str, Any] | None) -> list[Form]:
    """The short form (collector, path, format, filter, custom, what else of the source), the
    collector with Katib's raw source, then Katib's raw metricsCollectorSpec."""
    if mc is None:
        return [None]
    collector = mc.get("collector") or {}
    kind = collector.get("kind")
    semi: dict[str, Any] = {}
    if kind is not None:
        semi["collector"] = kind
    if collector.get("customCollector") is not None:
        semi["custom"] = collector["customCollector"]
    if mc.get("source") is not None:
        semi["source"] = mc["source"]
    forms: list[Form] = []
    if set(collector) <= {"kind", "customCollector"} and set(mc) <= {"source", "collector"}:
        if kind in COLLECTORS:
            with contextlib.suppress(_NoShortForm):
                forms.append(_short_metrics(kind, collector, mc.get("source")))
        forms.append(semi or None)
    forms.append({"raw": mc})
    return unique(forms)


class _NoShortForm(Exception):
    """The short form cannot say this; a rawer one will."""


def _short_metrics(kind: str | None, collector: dict[str, Any], source: Any) -> Form:
    out: dict[str, Any] = {}
    src = copy.deepcopy(source) if isinstance(source, dict) else {}
    fs = src.pop("fileSystemPath", None)
    if isinstance(fs, dict):
        rest = _file_system_path(kind, fs, out)
        if rest is not None:
            src["fileSystemPath"] = rest
    elif fs is not None:
        src["fileSystemPath"] = fs
    flt = src.pop("filter", None)
    if isinstance(flt, dict) and set(flt) <= {"metricsFormat"}:
        out["filter"] = list(flt.get("metricsFormat") or [])
    elif flt is not None:
        src["filter"] = flt
    http = src.get("httpGet")
    if kind == "PrometheusMetric" and isinstance(http, dict):
        rest = {
            k: v
            for k, v in http.items()
            if (k, v) not in (("path", DEFAULT_PROMETHEUS_PATH), ("port", DEFAULT_PROMETHEUS_PORT))
        }
        if rest:
            src["httpGet"] = rest
        else:
            del src["httpGet"]
    custom = collector.get("customCollector")
    if isinstance(custom, dict):  # Katib writes `resources: {}` into every container it stores
        out["custom"] = {k: v for k, v in custom.items() if (k, v) != ("resources", {})}
    implied = "File" if "path" in out else "StdOut"
    head = {} if kind == implied and "custom" not in out else {"collector": kind}
    if src:
        out["source"] = src
    return {**head, **out} or None


def _file_system_path(kind: str | None, fs: dict[str, Any], out: dict[str, Any]) -> Any:
    """Move path and format to the short form; what is left of fileSystemPath, or None."""
    defaults = _FS_DEFAULTS.get(kind or "", {})
    rest = {k: v for k, v in fs.items() if defaults.get(k) != v}
    path = rest.pop("path", None)
    if path is not None:
        out["path"] = path
        implied = "Directory" if kind == "TensorFlowEvent" else "File"
        if rest.get("kind") == implied or (fs.get("kind") == implied and "kind" not in rest):
            rest.pop("kind", None)
        elif "kind" not in fs:
            raise _NoShortForm  # the compiler would add a kind next to the path
    if rest.get("format") in ("TEXT", "JSON"):
        out["format"] = rest.pop("format")
    if rest:
        return rest
    if defaults or "path" in out or "format" in out:
        return None
    return {}
