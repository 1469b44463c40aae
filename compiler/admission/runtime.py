"""Rules Katib's webhook does not enforce but its controllers meet at run time (reference §3.4,
§10.3): an experiment that breaks them is admitted, then hangs or fails. `admit` reports them as
warnings; the compiler treats the error-level ones as errors.

| code | rule |
|---|---|
| KATIB-R1 | every search parameter is referenced by exactly one trialParameter (§4.3) |
| KATIB-R2 | NAS trialParameters reference exactly the algorithm's outputs (§4.3, §6.9) |
| KATIB-R3 | `${trialSpec.Labels[k]}`, `Annotations[k]` name a key of the template metadata |
| KATIB-R4 | min/max/step parse as numbers of the parameter's type (§10.3.2) |
| KATIB-R5 | min <= max and step > 0 (§10.3.2) |
| KATIB-R6 | categorical/discrete lists are non-empty, without duplicates; discrete values numeric |
| KATIB-R7 | parameter names are unique (§10.3.2) |
| KATIB-R8 | maxTrialCount is set (§5.7; warning) |
| KATIB-R9 | metricStrategies values are min, max or latest (§5.6) |
| KATIB-R10 | no `;` in metric names or filter regexes (§5.1) |
| KATIB-R11 | StdOut filters are valid RE2 with two groups (§3.2 item 38) |
| KATIB-R12 | values substituted into a trialSpec contain no `"`, `\\` or newline (§4.3) |
| KATIB-R13 | the primary container exists in the trial's pods (§2.2) |
| KATIB-R14 | the name is a DNS-1035 label (§3.2 V-1 note) |
| KATIB-R15 | the trial kind is one the katib-config's trialResources watch (§6.1) |
| KATIB-R16 | TensorFlowEvent collectors cannot early-stop (§5.4) |
| KATIB-R20..R26 | per-algorithm settings and search space (§6; `compiler.admission.algorithms`) |
"""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import Any

from compiler.admission.algorithms import check_algorithm, check_early_stopping, service_for_image
from compiler.admission.algorithms.findings import RuntimeFinding
from compiler.admission.katibconfig import KatibConfig
from compiler.admission.podtemplates import pod_templates
from compiler.admission.regex import has_two_groups, re2_error
from compiler.admission.template import meta_key
from compiler.model.katib import Experiment, ParameterSpec

ERROR = "error"
WARNING = "warning"
DNS1035 = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?")
NAS_OUTPUTS = {
    "enas": ("architecture", "nn_config"),
    "darts": ("algorithm-settings", "search-space", "num-layers"),
}


def check_runtime(exp: Experiment, config: KatibConfig) -> list[RuntimeFinding]:
    out: list[RuntimeFinding] = []
    for rule in (_references, _parameters, _budget, _metrics, _name, _trial_kind, _pods):
        out += rule(exp, config)
    algo = exp.spec.algorithm
    if algo is not None:
        out += check_algorithm(
            exp, service_for_image(config.suggestions.get(algo.algorithm_name, ""))
        )
    es = exp.spec.early_stopping
    if es is not None:
        out += check_early_stopping(
            exp, service_for_image(config.early_stopping.get(es.algorithm_name, ""))
        )
    return out


def _f(code: str, field: str, message: str, fix: str, severity: str = ERROR) -> RuntimeFinding:
    return RuntimeFinding(code, field, severity, message, fix)


def _references(exp: Experiment, config: KatibConfig) -> list[RuntimeFinding]:
    t = exp.spec.trial_template
    if t is None:
        return []
    out: list[RuntimeFinding] = []
    refs = Counter(tp.reference for tp in t.trial_parameters if meta_key(tp.reference) is None)
    algo = exp.spec.algorithm.algorithm_name if exp.spec.algorithm else ""
    if exp.spec.nas_config is not None and algo in NAS_OUTPUTS:
        produced = NAS_OUTPUTS[algo]
        for i, tp in enumerate(t.trial_parameters):
            if meta_key(tp.reference) is None and tp.reference not in produced:
                out.append(
                    _f(
                        "KATIB-R2",
                        f"spec.trialTemplate.trialParameters[{i}].reference",
                        f"{algo} does not produce an assignment named {tp.reference!r}",
                        f"reference one of: {', '.join(produced)}",
                    )
                )
        for name in produced:
            if refs[name] == 0:
                out.append(
                    _f(
                        "KATIB-R2",
                        "spec.trialTemplate.trialParameters",
                        f"{algo} produces {name!r}, which no trialParameter references; "
                        "trial creation fails when the counts differ",
                        f"add a trialParameter with reference {name!r}",
                    )
                )
    for i, p in enumerate(exp.spec.parameters):
        if refs[p.name] == 0:
            out.append(
                _f(
                    "KATIB-R1",
                    f"spec.parameters[{i}]",
                    f"parameter {p.name!r} is not referenced by any trialParameter; Katib "
                    "admits it, then cannot create any trial",
                    "use it in the trial template, or remove it from the search space",
                )
            )
    out += _meta_references(exp)
    return out


def _meta_references(exp: Experiment) -> list[RuntimeFinding]:
    t = exp.spec.trial_template
    assert t is not None
    meta = (t.trial_spec or {}).get("metadata") if t.trial_spec is not None else None
    out: list[RuntimeFinding] = []
    for i, tp in enumerate(t.trial_parameters):
        key = meta_key(tp.reference)
        if key is None or key[0] not in ("Labels", "Annotations") or t.trial_spec is None:
            continue
        table = meta.get(key[0].lower()) if isinstance(meta, dict) else None
        if not isinstance(table, dict) or key[1] not in table:
            out.append(
                _f(
                    "KATIB-R3",
                    f"spec.trialTemplate.trialParameters[{i}].reference",
                    f"{tp.reference} reads {key[0].lower()}[{key[1]!r}] of the trial "
                    "template's own metadata, which has no such key; trial creation fails",
                    f"add metadata.{key[0].lower()}.{key[1]} to the trialSpec",
                )
            )
    return out


def _number(text: str, kind: str) -> float | None:
    try:
        value = float(int(text)) if kind == "int" else float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _parameters(exp: Experiment, config: KatibConfig) -> list[RuntimeFinding]:
    out: list[RuntimeFinding] = []
    for name, count in Counter(p.name for p in exp.spec.parameters).items():
        if count > 1:
            out.append(
                _f(
                    "KATIB-R7",
                    "spec.parameters",
                    f"parameter {name!r} is declared {count} times",
                    "give each parameter a unique name",
                )
            )
    for i, p in enumerate(exp.spec.parameters):
        out += _parameter(f"spec.parameters[{i}]", p)
    return out


def _parameter(path: str, p: ParameterSpec) -> list[RuntimeFinding]:
    fs = p.feasible_space
    out: list[RuntimeFinding] = []
    if p.parameter_type in ("int", "double"):
        values = {}
        for part in ("min", "max", "step"):
            text = getattr(fs, part)
            if text == "":
                continue
            values[part] = _number(text, p.parameter_type)
            if values[part] is None:
                out.append(
                    _f(
                        "KATIB-R4",
                        f"{path}.feasibleSpace.{part}",
                        f"{part} {text!r} is not a valid {p.parameter_type}",
                        'write a plain number, e.g. "0.01"'
                        if p.parameter_type == "double"
                        else 'write a whole number, e.g. "8"',
                    )
                )
        lo, hi, step = values.get("min"), values.get("max"), values.get("step")
        if lo is not None and hi is not None and lo > hi:
            out.append(
                _f(
                    "KATIB-R5",
                    f"{path}.feasibleSpace.max",
                    f"max {fs.max} is below min {fs.min}",
                    "swap min and max",
                )
            )
        if step is not None and step <= 0:
            out.append(
                _f(
                    "KATIB-R5",
                    f"{path}.feasibleSpace.step",
                    f"step {fs.step} must be greater than 0",
                    "use a positive step, or leave it out",
                )
            )
    elif p.parameter_type in ("categorical", "discrete"):
        out += _list(path, p)
    return out


def _list(path: str, p: ParameterSpec) -> list[RuntimeFinding]:
    items = p.feasible_space.list
    if not items:
        return [
            _f(
                "KATIB-R6",
                f"{path}.feasibleSpace.list",
                f"{p.parameter_type} parameter {p.name!r} has no values",
                "list the values to try",
            )
        ]
    out = [
        _f(
            "KATIB-R6",
            f"{path}.feasibleSpace.list",
            f"value {v!r} is listed {n} times",
            "list each value once",
            WARNING,
        )
        for v, n in Counter(items).items()
        if n > 1
    ]
    if p.parameter_type == "discrete":
        out += [
            _f(
                "KATIB-R6",
                f"{path}.feasibleSpace.list[{j}]",
                f"discrete value {v!r} is not a number",
                "make the parameter categorical, or list numbers",
            )
            for j, v in enumerate(items)
            if _number(v, "double") is None
        ]
    out += [
        _f(
            "KATIB-R12",
            f"{path}.feasibleSpace.list[{j}]",
            f"value {v!r} contains a quote, a "
            "backslash or a newline, which breaks the trial's JSON when substituted",
            'use values without ", \\ or line breaks',
        )
        for j, v in enumerate(items)
        if any(c in v for c in '"\\\n\r')
    ]
    return out


def _budget(exp: Experiment, config: KatibConfig) -> list[RuntimeFinding]:
    if exp.spec.max_trial_count is None:
        return [
            _f(
                "KATIB-R8",
                "spec.maxTrialCount",
                "maxTrialCount is not set: the experiment "
                "runs until the goal is reached or forever, and restarts oddly once completed",
                "set spec.maxTrialCount",
                WARNING,
            )
        ]
    return []


def _metrics(exp: Experiment, config: KatibConfig) -> list[RuntimeFinding]:
    out: list[RuntimeFinding] = []
    obj = exp.spec.objective
    if obj is not None:
        for i, s in enumerate(obj.metric_strategies):
            if s.value not in ("min", "max", "latest"):
                out.append(
                    _f(
                        "KATIB-R9",
                        f"spec.objective.metricStrategies[{i}].value",
                        f"strategy {s.value!r} is not min, max or latest; Katib then finds "
                        "no best trial and never reaches the goal",
                        "use min, max or latest",
                    )
                )
        names = [obj.objective_metric_name, *obj.additional_metric_names]
        out += [
            _f(
                "KATIB-R10",
                "spec.objective",
                f"metric name {n!r} contains ';', which the collector uses as a separator",
                "rename the metric",
            )
            for n in names
            if ";" in n
        ]
    mc = exp.spec.metrics_collector_spec
    formats = mc.source.filter.metrics_format if mc and mc.source and mc.source.filter else ()
    kind = mc.collector.kind if mc and mc.collector else ""
    path = "spec.metricsCollectorSpec.source.filter.metricsFormat"
    for j, regex in enumerate(formats):
        if ";" in regex:
            out.append(
                _f(
                    "KATIB-R10",
                    f"{path}[{j}]",
                    "the filter contains ';', which the collector uses as a separator",
                    "rewrite the regex without ';'",
                )
            )
        if kind == "StdOut":
            problem = re2_error(regex) or (
                None if has_two_groups(regex) else "two top subexpressions are required"
            )
            if problem:
                out.append(
                    _f(
                        "KATIB-R11",
                        f"{path}[{j}]",
                        f"{problem}; Katib does not check "
                        "StdOut filters and its collector then crashes",
                        "use a valid RE2 regex with two groups: name, then value",
                    )
                )
    if kind == "TensorFlowEvent" and exp.spec.early_stopping is not None:
        out.append(
            _f(
                "KATIB-R16",
                "spec.earlyStopping",
                "the TensorFlowEvent collector does not "
                "support early stopping; its sidecar fails on the early-stopping flags",
                "remove earlyStopping, or collect metrics with StdOut or File",
            )
        )
    return out


def _name(exp: Experiment, config: KatibConfig) -> list[RuntimeFinding]:
    name = exp.metadata.name
    if name and not DNS1035.fullmatch(name):
        return [
            _f(
                "KATIB-R14",
                "metadata.name",
                f"name {name!r} is not a DNS-1035 label; Katib "
                "admits it but cannot create the suggestion's Service",
                "use lower-case letters, digits and '-', starting with a letter",
            )
        ]
    return []


def _trial_kind(exp: Experiment, config: KatibConfig) -> list[RuntimeFinding]:
    t = exp.spec.trial_template
    spec = t.trial_spec if t else None
    if not spec:
        return []
    api, kind = spec.get("apiVersion"), spec.get("kind")
    if isinstance(api, str) and isinstance(kind, str) and not config.watches(api, kind):
        return [
            _f(
                "KATIB-R15",
                "spec.trialTemplate.trialSpec.kind",
                f"{kind} ({api}) is not in the katib-config's trialResources "
                f"({', '.join(config.trial_resources)}); Katib would never see its trials "
                "finish",
                f"add {kind}.{api.rpartition('/')[2]}.{api.rpartition('/')[0]} to "
                "init.controller.trialResources of the cluster's katib-config (the cluster "
                "profile's katibConfig, or --katib-config)",
            )
        ]
    return []


def _pods(exp: Experiment, config: KatibConfig) -> list[RuntimeFinding]:
    t = exp.spec.trial_template
    if t is None or t.trial_spec is None or not t.primary_container_name:
        return []
    pods = pod_templates(t.trial_spec)
    if not pods:
        return []
    out: list[RuntimeFinding] = []
    primary = [p for p in pods if _selected(p.labels, t.primary_pod_labels)]
    missing = [p for p in pods if t.primary_container_name not in p.container_names]
    if primary and all(p in missing for p in primary):
        out.append(
            _f(
                "KATIB-R13",
                "spec.trialTemplate.primaryContainerName",
                f"no container named {t.primary_container_name!r} in the trial's primary "
                f"pod ({', '.join(primary[0].container_names) or 'no containers'})",
                "set primaryContainerName to the training container's name",
            )
        )
    elif missing:
        out.append(
            _f(
                "KATIB-R13",
                "spec.trialTemplate.primaryContainerName",
                f"pods of {', '.join(p.role for p in missing)} have no container named "
                f"{t.primary_container_name!r}; Katib's pod webhook may reject them",
                "give every replica's training container the same name",
                WARNING,
            )
        )
    return out


def _selected(labels: dict[str, Any], wanted: dict[str, str]) -> bool:
    return all(labels.get(k) == v for k, v in wanted.items()) if wanted else True
