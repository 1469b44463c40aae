"""YAML rules: a cerberus schema over one targeted part of the experiment.

    id: failure-budget
    title: Experiments stop after repeated failures
    severity: warning                 # error (default), warning or info
    rationale: A broken image should not burn the whole trial budget.
    fix: Set trials.failures.
    target: spec                      # a Katib path (spec.algorithm, metadata.labels), or
                                      # pods, containers, training (each of them)
    message: the failure budget is missing   # optional: prefixed to cerberus' own message
    schema:
      maxFailedTrialCount: {required: true, min: 1}

The schema is compiled once, when the rule is loaded; each experiment then validates only the
targeted part, without normalization (a rule checks; it never rewrites). A target that is
absent is validated as an empty mapping, so `required` works on it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from compiler.model.source import Path, katib_path
from compiler.policy.api import Context, Finding, Rule, Severity, Subject
from compiler.policy.cerb import Validator, compile_schema, validate
from compiler.policy.frozen import thaw

EACH = ("pods", "containers", "training")
_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")
FIELDS: dict[str, Any] = {
    "id": {"type": "string", "required": True, "regex": r"[a-z][a-z0-9]*(-[a-z0-9]+)*"},
    "title": {"type": "string", "required": True, "empty": False},
    "severity": {"type": "string", "allowed": [s.value for s in Severity]},
    "rationale": {"type": "string", "required": True, "empty": False},
    "fix": {"type": "string", "required": True, "empty": False},
    "target": {"type": "string", "required": True, "empty": False},
    "message": {"type": "string"},
    "enabled": {"type": "boolean"},
    "schema": {"type": "dict", "required": True},
}


def target_path(target: str) -> Path:
    """`spec.parameters[0].feasibleSpace` → ("spec", "parameters", 0, "feasibleSpace")."""
    if target == "experiment":
        return ()
    return tuple(int(i) if i else name for name, i in _PART.findall(target))


def fields(schema: Mapping[str, Any]) -> frozenset[str]:
    """The top-level fields a schema can look at: its own, and those its rules name."""
    names = set(schema)
    for rules in schema.values():
        if isinstance(rules, Mapping):
            for key in ("dependencies", "excludes"):
                value = rules.get(key)
                names |= {value} if isinstance(value, str) else set(value or ())
    return frozenset(str(n) for n in names)


@dataclass(frozen=True)
class SchemaCheck:
    """The check of one YAML rule: its compiled validator, its target, and the fields of the
    target it reads (only those are copied out of the read-only view for cerberus)."""

    validator: Validator
    target: str
    message: str = ""
    reads: frozenset[str] = frozenset()

    def __call__(self, subject: Subject, context: Context) -> Iterator[Finding]:
        for base, part in self._parts(subject):
            document = self._document(part)
            for path, problem in validate(self.validator, document):
                where = (*base, *path)
                text = f"{katib_path(where) or 'experiment'}: {problem}"
                yield Finding(f"{self.message} ({text})" if self.message else text, where)

    def _document(self, part: Any) -> Any:
        if part is None:
            return {}
        if not isinstance(part, Mapping):
            return part
        return {k: thaw(v) for k, v in part.items() if k in self.reads}

    def _parts(self, subject: Subject) -> Iterator[tuple[Path, Any]]:
        if self.target == "pods":
            yield from ((p.at(), p.spec) for p in subject.pods if p.complete)
        elif self.target == "containers":
            yield from ((c.path, c.data) for c in subject.containers)
        elif self.target == "training":
            yield from ((c.path, c.data) for c in subject.training)
        else:
            path = target_path(self.target)
            yield path, subject.get(*path)


def schema_rule(data: Mapping[str, Any], origin: str) -> Rule:
    """A Rule from a validated YAML rule document; `SchemaProblem` if its schema is not one."""
    schema = data["schema"]
    check = SchemaCheck(
        compile_schema(schema), data["target"], data.get("message", ""), fields(schema)
    )
    return Rule(
        data["id"],
        data["title"],
        Severity(data.get("severity", "error")),
        data["rationale"],
        data["fix"],
        check=check,
        enabled=data.get("enabled", True),
        origin=origin,
    )


def rule_file_validator() -> Validator:
    return compile_schema(FIELDS, allow_unknown=False)
