"""The policy configuration (`policies/config.yaml`): which rules run, how severe their
findings are, and the parameters the built-in rules read.

    rules:                    # by rule id: off, on, error, warning, info, or {enabled, severity}
      images-digest: on
      runtime-pip-install: warning
    parameters:
      images: {registries: [ghcr.io/kubeflow, docker.io/kubeflowkatib]}
      resources: {maxGpusPerTrial: 4, limits: [cpu, memory]}  # requests: the same form
      budget:
        maxTrialCount: 200
        maxParallelTrialCount: 10
        experiment: {cpuHours: 500, gpuHours: 64}
        namespace: {cpuHours: 2000, gpuHours: 256}
        namespaces: {team-a: {gpuHours: 512}}
      tenancy: {teams: {team-a: [team-a, team-a-dev]}}

Unknown parameter sections are kept for the repository's own Python rules.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from compiler.model.diagnostics import Diagnostic, Severity
from compiler.model.source import Document, katib_path
from compiler.policy.cerb import compile_schema, validate
from compiler.policy.frozen import empty, freeze

CODE = "POLICY-CONFIG"
SEVERITIES = [s.value for s in Severity]
_HOURS = {
    "type": "dict",
    "schema": {k: {"type": "number", "min": 0} for k in ("cpuHours", "gpuHours")},
}
_SETTING = {
    "anyof": [
        {"type": "boolean"},
        {"type": "string", "allowed": ["on", "off", *SEVERITIES]},
        {
            "type": "dict",
            "schema": {
                "enabled": {"type": "boolean"},
                "severity": {"type": "string", "allowed": SEVERITIES},
            },
        },
    ]
}
_COUNT = {"type": "integer", "min": 0}
_NAMES = {"type": "list", "schema": {"type": "string"}}
_SCHEMA: dict[str, Any] = {
    "rules": {"type": "dict", "keysrules": {"type": "string"}, "valuesrules": _SETTING},
    "parameters": {
        "type": "dict",
        "allow_unknown": True,
        "schema": {
            "images": {
                "type": "dict",
                "schema": {
                    "registries": {"type": "list", "schema": {"type": "string", "empty": False}}
                },
            },
            "resources": {
                "type": "dict",
                "schema": {
                    "maxGpusPerTrial": {"type": "number", "min": 0},
                    "requests": _NAMES,
                    "limits": _NAMES,
                },
            },
            "budget": {
                "type": "dict",
                "schema": {
                    "maxTrialCount": _COUNT,
                    "maxParallelTrialCount": _COUNT,
                    "experiment": _HOURS,
                    "namespace": _HOURS,
                    "namespaces": {"type": "dict", "valuesrules": _HOURS},
                },
            },
            "tenancy": {
                "type": "dict",
                "schema": {
                    "teams": {
                        "type": "dict",
                        "valuesrules": {"type": "list", "schema": {"type": "string"}},
                    }
                },
            },
        },
    },
}


@dataclass(frozen=True)
class RuleSetting:
    enabled: bool | None = None  # None: the rule's default
    severity: Severity | None = None


@dataclass(frozen=True)
class PolicyConfig:
    settings: Mapping[str, RuleSetting] = field(default_factory=empty)
    params: Mapping[str, Any] = field(default_factory=empty)
    source: str = ""
    document: Document | None = field(default=None, repr=False, compare=False)

    def enabled(self, rule_id: str, default: bool) -> bool:
        setting = self.settings.get(rule_id)
        return default if setting is None or setting.enabled is None else setting.enabled

    def severity(self, rule_id: str) -> Severity | None:
        setting = self.settings.get(rule_id)
        return setting.severity if setting else None


def config_from_document(doc: Document | None) -> tuple[PolicyConfig, list[Diagnostic]]:
    if doc is None or doc.data is None:
        return PolicyConfig(), []
    problems = [
        Diagnostic(
            code=CODE,
            message=f"policy configuration: {katib_path(path) or '(top)'}: {message}",
            where=doc.where(path),
        )
        for path, message in validate(_validator(), doc.data)
    ]
    if problems:
        return PolicyConfig(source=doc.file, document=doc), problems
    rules = doc.data.get("rules") or {}
    settings = {str(k): _setting(v) for k, v in rules.items()}
    params = freeze(doc.data.get("parameters") or {})
    return PolicyConfig(freeze(settings), params, doc.file, doc), []


_VALIDATOR: list[Any] = []


def _validator() -> Any:
    """Compiled once per process: building a cerberus validator checks the whole schema."""
    if not _VALIDATOR:
        _VALIDATOR.append(compile_schema(_SCHEMA, allow_unknown=False))
    return _VALIDATOR[0]


def _setting(value: Any) -> RuleSetting:
    if isinstance(value, bool):
        return RuleSetting(enabled=value)
    if isinstance(value, str):
        if value in ("on", "off"):
            return RuleSetting(enabled=value == "on")
        return RuleSetting(enabled=True, severity=Severity(value))
    severity = value.get("severity")
    return RuleSetting(value.get("enabled"), Severity(severity) if severity else None)


def unknown_rules(config: PolicyConfig, known: Iterable[str]) -> list[Diagnostic]:
    """Settings for rules that do not exist: a typo would otherwise switch nothing off."""
    ids = sorted(known)
    out = []
    for rule_id in config.settings:
        if rule_id in ids:
            continue
        close = difflib.get_close_matches(rule_id, ids, n=1)
        where = config.document.where(("rules", rule_id), key=True) if config.document else None
        hint = f"did you mean {close[0]}?" if close else "see `katib-gitops policy rules`"
        out.append(
            Diagnostic(code=CODE, message=f"no rule named {rule_id!r}", where=where, hint=hint)
        )
    return out
