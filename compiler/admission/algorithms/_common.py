"""Helpers shared by the per-service rule modules: field paths, parameter classification as the
suggestion client sends it, Python-style parsing of setting values, and a small table-driven
settings checker (most services check settings one by one against a per-name rule).

The Python services parse with Python's own `int()`/`float()`; we call the same builtins, so
`" 5 "`, `"1_000"` and `"nan"` behave exactly as in the service.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from compiler.admission.algorithms.findings import ERROR, WARNING, RuntimeFinding
from compiler.model.katib import Experiment, ParameterSpec, Setting

R20, R21, R22, R23, R24, R25, R26 = (f"KATIB-R{n}" for n in range(20, 27))
SETTINGS = "spec.algorithm.algorithmSettings"
ES_SETTINGS = "spec.earlyStopping.algorithmSettings"
NUMERIC = ("int", "double")
LISTED = ("categorical", "discrete")

# (message, fix) when a value is bad, None when it is fine.
Rule = Callable[[str, str], tuple[str, str] | None]


def error(code: str, field: str, message: str, fix: str) -> RuntimeFinding:
    return RuntimeFinding(code, field, ERROR, message, fix)


def warning(code: str, field: str, message: str, fix: str) -> RuntimeFinding:
    return RuntimeFinding(code, field, WARNING, message, fix)


def setting_path(i: int, part: str = "value", base: str = SETTINGS) -> str:
    return f"{base}[{i}].{part}"


def space_path(i: int, key: str) -> str:
    return f"spec.parameters[{i}].feasibleSpace.{key}"


def ptype(p: ParameterSpec) -> str:
    """Any type but the four known ones reaches the service as UNKNOWN_TYPE
    (suggestionclient.go convertParameterType)."""
    return p.parameter_type if p.parameter_type in (*NUMERIC, *LISTED) else "unknown"


def distribution(p: ParameterSpec) -> str:
    """ "" and "unknown" become DISTRIBUTION_UNSPECIFIED, which the services treat as uniform."""
    d = p.feasible_space.distribution
    return d if d in ("logUniform", "normal", "logNormal") else "uniform"


def algorithm_name(exp: Experiment) -> str:
    return exp.spec.algorithm.algorithm_name if exp.spec.algorithm else ""


def algorithm_settings(exp: Experiment) -> tuple[Setting, ...]:
    return exp.spec.algorithm.algorithm_settings if exp.spec.algorithm else ()


def last_index(settings: Sequence[Setting]) -> dict[str, int]:
    """Services that read settings into a dict keep the last value of a repeated name."""
    return {s.name: i for i, s in enumerate(settings)}


def py_int(text: str) -> tuple[int | None, str]:
    try:
        return int(text), ""
    except ValueError as e:
        return None, str(e)


def py_float(text: str) -> tuple[float | None, str]:
    try:
        return float(text), ""
    except ValueError as e:
        return None, str(e)


def failed(name: str, value: str, exc: str) -> str:
    """The Python services' wording when a value does not parse."""
    return f"failed to validate {name}({value}): {exc}"


def int_rule(ok: Callable[[int], bool], message: str, fix: str) -> Rule:
    def rule(name: str, value: str) -> tuple[str, str] | None:
        v, exc = py_int(value)
        if v is None:
            return failed(name, value, exc), fix
        return None if ok(v) else (message, fix)

    return rule


def float_rule(ok: Callable[[float], bool], message: str, fix: str) -> Rule:
    def rule(name: str, value: str) -> tuple[str, str] | None:
        v, exc = py_float(value)
        if v is None:
            return failed(name, value, exc), fix
        return None if ok(v) else (message, fix)

    return rule


def choice_rule(options: Sequence[str], message: str) -> Rule:
    """`message` may use {value}."""
    fix = f"use one of {', '.join(options)}"

    def rule(name: str, value: str) -> tuple[str, str] | None:
        return None if value in options else (message.format(value=value), fix)

    return rule


def check_settings(
    settings: Sequence[Setting],
    rules: Mapping[str, Rule],
    *,
    code: str,
    unknown: Callable[[int, str], RuntimeFinding | None],
    base: str = SETTINGS,
) -> list[RuntimeFinding]:
    """Every setting against its rule; `unknown(i, name)` decides about names without one."""
    out: list[RuntimeFinding] = []
    for i, s in enumerate(settings):
        rule = rules.get(s.name)
        if rule is None:
            found = unknown(i, s.name)
            out += [found] if found else []
        elif bad := rule(s.name, s.value):
            out.append(error(code, setting_path(i, base=base), *bad))
    return out


def rejects_unknown(
    algorithm: str, known: Sequence[str], hints: Mapping[str, str] | None = None
) -> Callable[[int, str], RuntimeFinding]:
    """For services whose validator answers "unknown setting X for algorithm Y" (Fail)."""

    def unknown(i: int, name: str) -> RuntimeFinding:
        fix = (hints or {}).get(name) or _known_fix(algorithm, known)
        message = f"unknown setting {name} for algorithm {algorithm}"
        return error(R20, setting_path(i, "name"), message, fix)

    return unknown


def ignores_unknown(
    service: str, algorithm: str, known: Sequence[str]
) -> Callable[[int, str], RuntimeFinding]:
    """For services that silently skip names they do not know."""

    def unknown(i: int, name: str) -> RuntimeFinding:
        message = f"the {service} service ignores the setting {name} for algorithm {algorithm}"
        return warning(R20, setting_path(i, "name"), message, _known_fix(algorithm, known))

    return unknown


def _known_fix(algorithm: str, known: Sequence[str]) -> str:
    if not known:
        return f"remove it: {algorithm} takes no settings"
    return f"remove it or use one of {', '.join(known)}"


def unsupported_algorithm(exp: Experiment, service: str, message: str) -> RuntimeFinding:
    fix = (
        f"the {service} service does not implement {algorithm_name(exp)}: map it to another "
        "suggestion image in katib-config"
    )
    return error(R20, "spec.algorithm.algorithmName", message, fix)


def numeric_count(exp: Experiment) -> int:
    return sum(ptype(p) in NUMERIC for p in exp.spec.parameters)
