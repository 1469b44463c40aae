"""Katib's validating webhook: `ValidateExperiment` (reference §3.2), in Katib's order and with
its early stops. Rule texts live in `rules.py`; the code is `KATIB-<id>`.

Source: pkg/webhook/v1beta1/experiment/validator/validator.go.
"""

from __future__ import annotations

import difflib
import posixpath
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from compiler.admission.algorithms._gostrconv import atoi
from compiler.admission.errors import FieldError
from compiler.admission.katibconfig import KatibConfig
from compiler.admission.regex import has_two_groups, re2_error
from compiler.admission.rules import RULES
from compiler.admission.template import TEST_VALUE, go_json, is_meta_key
from compiler.admission.template import placeholder as placeholder_of
from compiler.admission.textmatch import find_placeholders
from compiler.admission.trialjob import parse_template, validate_trial_job
from compiler.model.codec import to_go
from compiler.model.katib import (
    Experiment,
    ExperimentSpec,
    MetricsCollectorSpec,
    ObjectiveSpec,
    ParameterSpec,
)

NAME_RE = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?")  # not anchored at the end, as in Katib
MAX_NAME = 40
PARAMETER_TYPES = ("int", "double", "categorical", "discrete", "unknown")
DISTRIBUTIONS = ("uniform", "logUniform", "normal", "logNormal", "unknown")
RESUME_POLICIES = ("", "Never", "LongRunning", "FromVolume")
AUTO_INJECT_COLLECTORS = ("StdOut", "File", "TensorFlowEvent", "PrometheusMetric")

# Trial-template ConfigMaps: {(namespace, name): {key: text}}
ConfigMaps = Mapping[tuple[str, str], Mapping[str, str]]


@dataclass
class _Errors:
    items: list[FieldError] = field(default_factory=list)

    def add(self, rule_id: str, i: int = 0, **values: object) -> None:
        rule = RULES[rule_id]
        self.items.append(
            FieldError(
                f"KATIB-{rule_id}",
                rule.field.format(i=i),
                rule.type,
                rule.detail.format(**values),
                rule.fix.format(**values),
            )
        )


def validate_experiment(
    exp: Experiment, old: Experiment | None, config: KatibConfig, configmaps: ConfigMaps
) -> list[FieldError]:
    """Every webhook error for a defaulted experiment (and the stored object on UPDATE)."""
    errs = _Errors()
    spec = exp.spec
    _name_and_budget(exp, errs)
    if old is not None:
        _update(spec, old, errs)
    if _objective(spec.objective, errs):
        return errs.items  # Katib stops after any objective error
    _algorithm(spec, config, errs)
    _early_stopping(spec, config, errs)
    if spec.resume_policy not in RESUME_POLICIES:
        errs.add("V16")
    _trial_template(exp, configmaps, errs)
    _search_space(spec, errs)
    _metrics_collector(spec, config, errs)
    return errs.items


def _name_and_budget(exp: Experiment, errs: _Errors) -> None:
    name = exp.metadata.name
    # Go's len() counts bytes: "a" followed by 20 "é" is 41 bytes, too long for Katib
    if not NAME_RE.match(name) or len(name.encode("utf-8")) > MAX_NAME:
        errs.add("V1")
    s = exp.spec
    failed, total, parallel = s.max_failed_trial_count, s.max_trial_count, s.parallel_trial_count
    if failed is not None and failed < 0:
        errs.add("V2")
    if total is not None and total <= 0:
        errs.add("V3")
    if parallel is not None and parallel <= 0:
        errs.add("V4")
    if failed is not None and total is not None and failed > total:
        errs.add("V5", max=total)
    if parallel is not None and total is not None and parallel > total:
        errs.add("V6", max=total)


def _update(new: ExperimentSpec, old: Experiment, errs: _Errors) -> None:
    """U-1..U-3: what may change in a stored experiment."""
    restarting = _key(new) != _key(old.spec)
    if restarting and old.is_completed() and not _restartable(old):
        errs.add("U1")
    if restarting and new.max_trial_count is not None and new.max_trial_count <= old.status.trials:
        errs.add("U2", trials=old.status.trials)
    budget = {
        "max_failed_trial_count": new.max_failed_trial_count,
        "max_trial_count": new.max_trial_count,
        "parallel_trial_count": new.parallel_trial_count,
    }
    if _key(new) != _key(old.spec.model_copy(update=budget)):
        errs.add("U3")


def _key(spec: ExperimentSpec) -> object:
    """What equality.Semantic.DeepEqual compares. In the unstructured trialSpec a Go bool never
    equals a number, while Python has True == 1: tag the booleans."""
    return _tag_bools(to_go(spec))


def _tag_bools(value: object) -> object:
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, dict):
        return {k: _tag_bools(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_tag_bools(v) for v in value]
    return value


def _restartable(old: Experiment) -> bool:
    """Succeeded by reaching maxTrialCount, with LongRunning or FromVolume. Katib reads the
    first condition of each type, even if a later one differs (reference §7.1)."""
    first = old.status.condition("Succeeded")
    return (
        old.status.has("Succeeded")
        and first is not None
        and first.reason == "ExperimentMaxTrialsReached"
        and old.spec.resume_policy in ("LongRunning", "FromVolume")
    )


def _objective(obj: ObjectiveSpec | None, errs: _Errors) -> bool:
    before = len(errs.items)
    if obj is None:
        errs.add("V7")
        return True
    if obj.type not in ("minimize", "maximize"):
        errs.add("V8")
    if obj.objective_metric_name == "":
        errs.add("V9")
    if obj.objective_metric_name in obj.additional_metric_names:
        errs.add("V10", metric=obj.objective_metric_name)
    return len(errs.items) > before


def _algorithm(spec: ExperimentSpec, config: KatibConfig, errs: _Errors) -> None:
    algo = spec.algorithm
    if algo is None:
        errs.add("V11")
        return
    if algo.algorithm_name == "":
        errs.add("V12")
    problem = config.suggestion_problem(algo.algorithm_name)
    if problem:
        choices = ", ".join(config.algorithms())
        errs.add("V13", name=algo.algorithm_name, problem=problem, choices=choices)


def _early_stopping(spec: ExperimentSpec, config: KatibConfig, errs: _Errors) -> None:
    es = spec.early_stopping
    if es is None:
        return
    if es.algorithm_name == "":
        errs.add("V14")
    problem = config.early_stopping_problem(es.algorithm_name)
    if problem:
        choices = ", ".join(config.early_stoppings()) or "(none configured)"
        errs.add("V15", name=es.algorithm_name, problem=problem, choices=choices)


def _trial_template(exp: Experiment, configmaps: ConfigMaps, errs: _Errors) -> None:
    t = exp.spec.trial_template
    if t is None:
        errs.add("V17")
        return
    if t.primary_container_name == "":
        errs.add("V18")
    if t.success_condition == "" or t.failure_condition == "":
        errs.add("V19")
    if not t.trial_parameters:
        errs.add("V20")
        return
    if t.trial_spec is None and t.config_map is None:
        errs.add("V21")
        return
    if t.trial_spec is not None and t.config_map is not None:
        errs.add("V22")
        return
    cm = t.config_map
    if cm is not None and not (cm.config_map_name and cm.config_map_namespace and cm.template_path):
        errs.add("V23")
        return
    text, problem = template_text(exp, configmaps)
    if text is None:
        errs.add("V24", problem=problem)
        return
    _trial_parameters(exp, text, errs)


def template_text(exp: Experiment, configmaps: ConfigMaps) -> tuple[str | None, str]:
    """Katib's GetTrialTemplate: the JSON text of trialSpec, or the ConfigMap's raw value."""
    t = exp.spec.trial_template
    assert t is not None
    if t.trial_spec is not None:
        return _spec_text(t.trial_spec), ""
    assert t.config_map is not None
    cm = t.config_map
    data = configmaps.get((cm.config_map_namespace, cm.config_map_name))
    if data is None:
        return None, (
            f"configMap not found: ConfigMap {cm.config_map_namespace}/{cm.config_map_name} "
            "is not known offline"
        )
    if cm.template_path not in data:
        return None, f"unable to find trial template in ConfigMap: TemplatePath: {cm.template_path}"
    return data[cm.template_path], ""


_last_text: list[tuple[object, str]] = []


def _spec_text(trial_spec: dict[str, Any]) -> str:
    """go_json of a trialSpec, kept for the last one: admission and the sample trial both ask
    for the same (frozen) experiment's text. The entry holds the dict, so `is` cannot be
    fooled by a new dict at a freed address."""
    last = _last_text[0] if _last_text else None  # one read: another thread may replace it
    if last is not None and last[0] is trial_spec:
        return last[1]
    text = go_json(trial_spec)
    _last_text[:] = [(trial_spec, text)]
    return text


def _trial_parameters(exp: Experiment, text: str, errs: _Errors) -> None:
    t = exp.spec.trial_template
    assert t is not None
    param_names = [p.name for p in exp.spec.parameters]
    names: set[str] = set()
    refs: set[str] = set()
    for i, tp in enumerate(t.trial_parameters):
        if not tp.name or not tp.reference or "{" in tp.name or "}" in tp.name:
            errs.add("V25", i)
            continue
        if tp.name in names:
            errs.add("V26", i, name=tp.name)
            continue
        if tp.reference in refs:
            errs.add("V27", i, ref=tp.reference)
            continue
        names.add(tp.name)
        refs.add(tp.reference)
        if param_names and not is_meta_key(tp.reference) and tp.reference not in param_names:
            errs.add("V28", i, ref=tp.reference, hint=did_you_mean(tp.reference, param_names))
        token = placeholder_of(tp.name)
        if token not in text:
            errs.add("V29", i, name=tp.name, token=token)
            return  # Katib returns at once
        text = text.replace(token, TEST_VALUE)
    _substituted(text, errs)


def _substituted(text: str, errs: _Errors) -> None:
    left = find_placeholders(text)  # PLACEHOLDER_RE's matches, in linear time
    if left:
        errs.add("V30", left=" ".join(left))
    run_spec, problem = parse_template(text)
    if run_spec is None:
        errs.add("V31", problem=problem)
        return
    metadata = run_spec.get("metadata")
    meta = metadata if isinstance(metadata, dict) else {}
    if _str(meta.get("name")) or _str(meta.get("namespace")):
        errs.add("V32")
    if not _str(run_spec.get("apiVersion")) or not _str(run_spec.get("kind")):
        errs.add("V33")
    problem = validate_trial_job(run_spec) or ""
    if problem:
        errs.add("V34", problem=problem)


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""


def did_you_mean(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1)
    if close:
        return f"did you mean {close[0]!r}? A reference must name a spec.parameters entry"
    return f"reference one of spec.parameters: {', '.join(choices)}"


def _search_space(spec: ExperimentSpec, errs: _Errors) -> None:
    if not spec.parameters and spec.nas_config is None:
        errs.add("V35")
    if spec.parameters and spec.nas_config is not None:
        errs.add("V36")
    for i, p in enumerate(spec.parameters):
        _parameter(i, p, errs)


def _parameter(i: int, p: ParameterSpec, errs: _Errors) -> None:
    fs = p.feasible_space
    kind = p.parameter_type
    if kind not in PARAMETER_TYPES:
        errs.add("V37a", i, value=kind)
    if fs.distribution and fs.distribution not in DISTRIBUTIONS:
        errs.add("V37b", i, value=fs.distribution)
    if fs == type(fs)():
        errs.add("V37c", i)  # unreachable in a cluster: distribution is always defaulted
        return
    if kind in ("double", "int"):
        if fs.list:
            errs.add("V37d", i, value=kind)
        if fs.max == "" or fs.min == "":
            errs.add("V37e", i, value=kind)
    elif kind in ("categorical", "discrete") and (fs.max or fs.min or fs.step):
        errs.add("V37f", i, value=kind)


def _metrics_collector(spec: ExperimentSpec, config: KatibConfig, errs: _Errors) -> None:
    mc = spec.metrics_collector_spec or MetricsCollectorSpec()
    kind = mc.collector.kind if mc.collector else ""
    if kind in AUTO_INJECT_COLLECTORS:
        problem = config.collector_problem(kind)
        if problem:
            errs.add("V38", problem=problem, choices=", ".join(config.collectors()))
    if _COLLECTOR_CHECKS.get(kind, _unknown_collector)(mc, kind, errs):
        return  # Push and StdOut: Katib returns before the filter checks
    formats = mc.source.filter.metrics_format if mc.source and mc.source.filter else ()
    for regex in formats:
        bad_regex = re2_error(regex)
        if bad_regex:
            errs.add("V49", problem=bad_regex)
        elif not has_two_groups(regex):  # Katib: MatchString(`.*\(.*\).*\(.*\).*`)
            errs.add("V50")


def _file_collector(mc: MetricsCollectorSpec, kind: str, errs: _Errors) -> bool:
    fs = mc.source.file_system_path if mc.source else None
    if fs is None or fs.kind != "File" or not posixpath.isabs(fs.path):
        errs.add("V39")
    fmt = fs.format if fs else ""
    if fmt not in ("TEXT", "JSON"):
        errs.add("V40")
    if fmt == "JSON" and mc.source is not None and mc.source.filter is not None:
        errs.add("V41")
    return False


def _tfevent_collector(mc: MetricsCollectorSpec, kind: str, errs: _Errors) -> bool:
    fs = mc.source.file_system_path if mc.source else None
    if fs is None or fs.kind != "Directory" or not posixpath.isabs(fs.path):
        errs.add("V42")
    if fs is not None and fs.format:
        errs.add("V43")
    return False


def _prometheus_collector(mc: MetricsCollectorSpec, kind: str, errs: _Errors) -> bool:
    http = mc.source.http_get if mc.source else None
    port = str(http.port) if http else "0"
    # strconv.Atoi: a sign and ASCII digits (any number of leading zeros) within int64
    number, _ = atoi(port)
    if number is None or number <= 0:
        errs.add("V44")
    if not (http.path if http else "").startswith("/"):
        errs.add("V45")
    return False


def _custom_collector(mc: MetricsCollectorSpec, kind: str, errs: _Errors) -> bool:
    if mc.collector is None or mc.collector.custom_collector is None:
        errs.add("V46")
    fs = mc.source.file_system_path if mc.source else None
    if fs is not None and (not posixpath.isabs(fs.path) or fs.kind not in ("Directory", "File")):
        errs.add("V47")
    return False


def _stop(mc: MetricsCollectorSpec, kind: str, errs: _Errors) -> bool:
    return True


def _unknown_collector(mc: MetricsCollectorSpec, kind: str, errs: _Errors) -> bool:
    errs.add("V48", value=kind)
    return False


_COLLECTOR_CHECKS: dict[str, Callable[[MetricsCollectorSpec, str, _Errors], bool]] = {
    "Push": _stop,
    "StdOut": _stop,
    "File": _file_collector,
    "TensorFlowEvent": _tfevent_collector,
    "PrometheusMetric": _prometheus_collector,
    "Custom": _custom_collector,
}
