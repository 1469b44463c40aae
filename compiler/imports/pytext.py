"""Spec data as a Python spec written with `compiler.dsl`: helpers where they say the same
(`minimize`, `floats`, `choice`, `job`, ...), plain dicts and lists where they would not.

`literal=True` writes every section as the plain data: the fallback when the helpers' version
does not compile to the same object.
"""

from __future__ import annotations

import keyword
from dataclasses import dataclass, field
from typing import Any

from compiler.imports.sections import range_type

WIDTH = 100
INDENT = 4
_HELPERS = (
    "experiment",
    "maximize",
    "minimize",
    "floats",
    "ints",
    "choice",
    "discrete",
    "algorithm",
    "early_stopping",
    "job",
    "tfjob",
    "pytorchjob",
    "mpijob",
    "xgboostjob",
    "trainjob",
    "raw",
    "configmap",
    "metrics",
    "nas",
    "operation",
)
_TRIAL_HELPERS = {
    "Job": "job",
    "TFJob": "tfjob",
    "PyTorchJob": "pytorchjob",
    "MPIJob": "mpijob",
    "XGBoostJob": "xgboostjob",
    "TrainJob": "trainjob",
}
_KWARGS = {"earlyStopping": "early_stopping", "revisionSuffix": "revision_suffix"}
_COMMON = ("parameters", "retain", "primaryPodLabels", "primaryContainer")
_CONDITIONS = ("successCondition", "failureCondition")
_JOB_FIELDS = ("image", "command", "args", "env", "resources", "deadline", "container", "pod")
# the spec's trial fields each helper takes (beyond the common ones)
_TRIAL_ARGS = {
    "job": {*_JOB_FIELDS, "podMetadata", "job"},
    "distributed": {*_JOB_FIELDS, "podMetadata", "job", "workers", "replicas"},
    "trainjob": {"image", "command", "args", "workers", "runtime", "env", "resources", "job"},
    "raw": set(),
    "configmap": set(),
}
_RANGE_KEYS = {"type", "min", "max", "step", "log", "distribution", "description"}


@dataclass
class Call:
    func: str
    args: list[Any] = field(default_factory=list)
    kwargs: list[tuple[str, Any]] = field(default_factory=list)


def python_text(specs: list[dict[str, Any]], literal: list[bool] | None = None) -> str:
    """A runnable spec file declaring each spec; `literal[i]`: write spec i as plain data."""
    flags = literal or [False] * len(specs)
    calls = [_experiment(s, flag) for s, flag in zip(specs, flags, strict=True)]
    used = sorted(_used(calls), key=_HELPERS.index)
    head = f"from compiler.dsl import {', '.join(used)}\n"
    return head + "".join("\n" + render(c, 0) + "\n" for c in calls)


def _used(node: Any) -> set[str]:
    if isinstance(node, Call):
        found = {node.func} if node.func in _HELPERS else set()
        for child in [*node.args, *(v for _, v in node.kwargs)]:
            found |= _used(child)
        return found
    if isinstance(node, dict):
        return set().union(*(_used(v) for v in node.values())) if node else set()
    if isinstance(node, list):
        return set().union(*(_used(v) for v in node)) if node else set()
    return set()


# --- spec → calls ---------------------------------------------------------------------------


def _experiment(spec: dict[str, Any], literal: bool) -> Call:
    kwargs: list[tuple[str, Any]] = []
    for key, value in spec.items():
        name = _KWARGS.get(key, key)
        kwargs.append((name, value if literal else _section(key, value)))
    return Call("experiment", [], kwargs)


def _section(key: str, value: Any) -> Any:
    if key == "objective":
        return _objective(value)
    if key in ("algorithm", "earlyStopping"):
        return _algorithm(value, "algorithm" if key == "algorithm" else "early_stopping")
    if key == "trials" and isinstance(value, dict) and all(_identifier(k) for k in value):
        return Call("dict", [], list(value.items()))
    if key == "parameters":
        if isinstance(value, dict):
            return {name: _parameter(form) for name, form in value.items()}
        return value
    if key == "nas" and isinstance(value, dict):
        return _nas(value)
    if key == "trial":
        return _trial(value)
    if key == "metrics" and isinstance(value, dict):
        collector = [value["collector"]] if "collector" in value else []
        return Call("metrics", collector, [(k, v) for k, v in value.items() if k != "collector"])
    return value


def _objective(o: Any) -> Any:
    if not isinstance(o, dict):
        return o
    direction = [d for d in ("maximize", "minimize") if d in o]
    if len(direction) != 1 or set(o) - {*direction, "goal", "also", "strategies"}:
        return o
    if not isinstance(o.get("strategies", {}), dict):
        return o
    rest = [(k, v) for k, v in o.items() if k != direction[0]]
    return Call(direction[0], [o[direction[0]]], rest)


def _algorithm(a: Any, helper: str) -> Any:
    if not isinstance(a, dict) or set(a) - {"name", "settings"}:
        return a
    settings = a.get("settings", {})
    if not isinstance(settings, dict):
        return a
    if all(_identifier(k) for k in settings):
        return Call(helper, [a["name"]], list(settings.items()))
    return Call(helper, [a["name"], settings])


def _parameter(form: Any) -> Any:
    if isinstance(form, list):
        numeric = bool(form) and all(_number(v) for v in form)
        return Call("discrete" if numeric else "choice", list(form))
    if not isinstance(form, dict):
        return form
    described = [("description", form["description"])] if "description" in form else []
    if "values" in form and set(form) <= {"type", "values", "description"}:
        values = form["values"]
        numeric = bool(values) and all(_number(v) for v in values)
        kind = form.get("type") or ("discrete" if numeric else "categorical")
        helper = {"discrete": "discrete", "categorical": "choice"}.get(kind)
        if helper is not None and not (helper == "discrete" and not numeric):
            return Call(helper, list(values), described)
        return form
    if "values" in form or set(form) - _RANGE_KEYS or not {"min", "max"} <= set(form):
        return form
    kind = form.get("type") or range_type({k: form[k] for k in ("min", "max", "step") if k in form})
    helper = {"int": "ints", "double": "floats"}.get(kind)
    if helper is None:
        return form
    args = [form["min"], form["max"]] + ([form["step"]] if "step" in form else [])
    rest = [(k, form[k]) for k in ("log", "distribution", "description") if k in form]
    return Call(helper, args, rest)


def _nas(value: dict[str, Any]) -> Any:
    if set(value) - {"layers", "inputs", "outputs", "operations"}:
        return value
    kwargs = [(k, _operations(v) if k == "operations" else v) for k, v in value.items()]
    return Call("nas", [], kwargs)


def _operations(ops: Any) -> Any:
    if isinstance(ops, dict):
        return {
            t: {n: _parameter(f) for n, f in params.items()} if isinstance(params, dict) else params
            for t, params in ops.items()
        }
    out = []
    for op in ops:
        params = op.get("parameters", {})
        if set(op) <= {"type", "parameters"} and isinstance(params, dict):
            converted = {n: _parameter(f) for n, f in params.items()}
            out.append(Call("operation", [op["type"], converted] if converted else [op["type"]]))
        else:
            out.append(op)
    return out


def _trial(t: Any) -> Any:
    if not isinstance(t, dict):
        return t
    if "spec" in t:
        helper, group, head = "raw", "raw", [t["spec"]]
    elif "configMap" in t:
        cm = t["configMap"]
        helper, group = "configmap", "configmap"
        head = [cm.get("name"), cm.get("namespace"), cm.get("key")]
    else:
        kind = t.get("kind", "Job")
        helper = _TRIAL_HELPERS.get(kind, "")
        group = {"job": "job", "trainjob": "trainjob"}.get(helper, "distributed")
        head = []
    allowed = _TRIAL_ARGS[group] | {*_COMMON, *_CONDITIONS}
    rest = {k: v for k, v in t.items() if k not in ("kind", "spec", "configMap")}
    if not helper or set(rest) - allowed:
        return t
    kwargs = [
        (_snake(k), _trial_parameters(v) if k == "parameters" else v) for k, v in rest.items()
    ]
    return Call(helper, head, kwargs)


def _trial_parameters(listed: Any) -> Any:
    """{name: reference} when no parameter has a description."""
    if isinstance(listed, list) and all(set(p) == {"name", "reference"} for p in listed):
        names = [p["name"] for p in listed]
        if len(set(names)) == len(names):
            return {p["name"]: p["reference"] for p in listed}
    return listed


def _snake(name: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in name)


def _identifier(name: Any) -> bool:
    return isinstance(name, str) and name.isidentifier() and not keyword.iskeyword(name)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


# --- calls → text ---------------------------------------------------------------------------


def render(node: Any, indent: int, prefix: int = 0) -> str:
    """`node` as Python source starting at column indent + prefix; wrapped when too long."""
    one = _one_line(node)
    if indent + prefix + len(one) <= WIDTH or not isinstance(node, Call | dict | list) or not node:
        return one
    inner = " " * (indent + INDENT)
    if isinstance(node, Call):
        items = [inner + render(a, indent + INDENT) for a in node.args]
        items += [inner + f"{k}=" + render(v, indent + INDENT, len(k) + 1) for k, v in node.kwargs]
        return f"{node.func}(\n" + "".join(i + ",\n" for i in items) + " " * indent + ")"
    if isinstance(node, dict):
        items = []
        for k, v in node.items():
            key = _scalar(k) + ": "
            items.append(inner + key + render(v, indent + INDENT, len(key)))
        return "{\n" + "".join(i + ",\n" for i in items) + " " * indent + "}"
    if all(not isinstance(v, Call | dict | list) for v in node):
        return _filled(node, indent)
    items = [inner + render(v, indent + INDENT) for v in node]
    return "[\n" + "".join(i + ",\n" for i in items) + " " * indent + "]"


def _filled(items: list[Any], indent: int) -> str:
    """A list of scalars, as many on a line as fit."""
    inner = " " * (indent + INDENT)
    lines: list[str] = []
    line = ""
    for text in (_scalar(v) + "," for v in items):
        if line and len(inner) + len(line) + 1 + len(text) > WIDTH:
            lines.append(inner + line)
            line = text
        else:
            line = f"{line} {text}" if line else text
    lines.append(inner + line)
    return "[\n" + "\n".join(lines) + "\n" + " " * indent + "]"


def _one_line(node: Any) -> str:
    if isinstance(node, Call):
        parts = [_one_line(a) for a in node.args]
        parts += [f"{k}={_one_line(v)}" for k, v in node.kwargs]
        return f"{node.func}({', '.join(parts)})"
    if isinstance(node, dict):
        return "{" + ", ".join(f"{_scalar(k)}: {_one_line(v)}" for k, v in node.items()) + "}"
    if isinstance(node, list):
        return "[" + ", ".join(_one_line(v) for v in node) + "]"
    return _scalar(node)


def _scalar(value: Any) -> str:
    if isinstance(value, str):
        if '"' not in value and "\\" not in value and value.isprintable():
            return f'"{value}"'
        return repr(value)
    return repr(value)
