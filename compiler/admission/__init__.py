"""Katib's admission webhooks in Python: decode as Go does, default, validate (reference §0-§3).

`admit` mirrors the webhooks: `allowed` is Katib's verdict. Rules Katib meets only at run time
(`runtime.py`, `algorithms/`) come back as warnings; `strict=True` makes their error-level
findings reject too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from compiler.admission.defaults import set_default
from compiler.admission.errors import BAD_REQUEST, FieldError
from compiler.admission.katibconfig import KatibConfig, default_config
from compiler.admission.runtime import check_runtime
from compiler.admission.template import go_numbers
from compiler.admission.typemeta import type_meta_problem
from compiler.admission.validate import ConfigMaps, validate_experiment
from compiler.kubetypes import Issue, marshal_decoded, roundtrip_json
from compiler.kubetypes import check as kube_check
from compiler.model.codec import Sources, from_go, to_go
from compiler.model.diagnostics import Diagnostic, Severity
from compiler.model.katib import Experiment
from compiler.model.source import Document, Path

EXPERIMENT_TYPE = "github.com/kubeflow/katib/pkg/apis/controller/experiments/v1beta1.Experiment"
API_VERSION = "kubeflow.org/v1beta1"

__all__ = ["Admission", "ConfigMaps", "KatibConfig", "admit", "default_config", "field_to_path"]


@dataclass(frozen=True)
class Admission:
    """The verdict on one Experiment document, and what Katib would store."""

    allowed: bool
    errors: tuple[Diagnostic, ...] = ()
    warnings: tuple[Diagnostic, ...] = ()
    object: dict[str, Any] | None = None  # the defaulted object, without status
    experiment: Experiment | None = field(default=None, repr=False)


_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def field_to_path(katib_field: str) -> Path:
    """`spec.parameters[1].feasibleSpace` → ("spec", "parameters", 1, "feasibleSpace")."""
    return tuple(int(index) if index else name for name, index in _PART.findall(katib_field))


def _path_to_field(path: Path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


@dataclass(frozen=True)
class _Decoded:
    experiment: Experiment | None
    errors: list[Diagnostic]
    dropped: list[Diagnostic]
    sources: Sources | None = None  # the decoded data of each model (`store` reuses it)


def decode(doc: Document) -> _Decoded:
    """H-1: the webhook decodes the request into Katib's Go types; a type mismatch is a 400,
    unknown fields are dropped silently (we say so)."""
    data = doc.data
    if not isinstance(data, dict):
        return _Decoded(None, [_bad(doc, (), "an Experiment must be a mapping")], [])
    if data.get("apiVersion") != API_VERSION:
        return _Decoded(None, [_bad(doc, ("apiVersion",), f"apiVersion must be {API_VERSION}")], [])
    problem = type_meta_problem(data)
    if problem:  # e.g. a stray `APIVERSION:` key: the decoder reads keys case-insensitively
        return _Decoded(None, [_bad(doc, (), problem)], [])
    # kubectl sends JSON, and the API server decodes and re-encodes it: `3.0` arrives as 3
    request = go_numbers(data)
    result = roundtrip_json(request, EXPERIMENT_TYPE)
    if result.errors:
        return _Decoded(None, [_bad(doc, e.path, e.message) for e in result.errors], [])
    dropped = [
        Diagnostic(
            code="KATIB-D1",
            severity=Severity.WARNING,
            message=f"{issue.message}; Katib's webhook drops it silently",
            where=doc.where(issue.path, key=True),
            hint=f"did you mean {issue.suggestion!r}?"
            if issue.suggestion
            else "remove the field, or fix its spelling",
            field=_path_to_field(issue.path),
            type="Dropped",
        )
        for issue in _unknown_fields(request, result.unknown)
    ]
    sources: Sources = {}
    return _Decoded(from_go(Experiment, result.value, sources), [], dropped, sources)


def _unknown_fields(request: Any, unknown: list[Path]) -> list[Issue]:
    """The decoder already knows which fields it dropped; the hints cost a second pass, so
    that pass runs only when there is something to explain."""
    if not unknown:
        return []
    return [i for i in kube_check(request, EXPERIMENT_TYPE) if i.code == "unknown-field"]


def _bad(doc: Document, path: Path, message: str) -> Diagnostic:
    from compiler.admission.decodehints import decode_hint  # only when something is wrong

    return Diagnostic(
        code="KATIB-H1",
        message=f"the webhook cannot decode the request: {message}",
        where=doc.where(path),
        hint=decode_hint(message, _value_at(doc.data, path), doc.booleans.get(path)),
        field=_path_to_field(path),
        type=BAD_REQUEST,
    )


def _value_at(data: Any, path: Path) -> Any:
    for part in path:
        present = (isinstance(data, dict) and part in data) or (
            isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data)
        )
        if not present:
            return None
        data = data[part]
    return data


def store(exp: Experiment, sources: Sources | None = None) -> tuple[Experiment, dict[str, Any]]:
    """Default, then marshal as Go does: what the API server stores (status left out).
    `sources`: the decoded data `exp` was built from; the parts the defaults left alone are
    marshalled already."""
    defaulted = set_default(exp)
    # decoded once already (its trialSpec normalized), so marshalling is all that is left
    reused: set[int] = set()
    dumped = to_go(defaulted, share=True, sources=sources, reused=reused)
    marshalled = marshal_decoded(dumped, EXPERIMENT_TYPE, frozenset(reused))
    # Reading the marshalled form back would give the defaulted model again: every value in it
    # has already been through Go's decoder, and omitempty only drops what the model holds as
    # its zero value. So the defaulted model is the stored one.
    stored = defaulted
    # Go's TypeMeta marshals kind before apiVersion; people read apiVersion first. Same object.
    head = {k: marshalled[k] for k in ("apiVersion", "kind") if k in marshalled}
    obj = {**head, **{k: v for k, v in marshalled.items() if k not in head and k != "status"}}
    return stored, obj


def admit(
    doc: Document,
    *,
    old: Document | None = None,
    config: KatibConfig | None = None,
    configmaps: ConfigMaps | None = None,
    namespace_labelled: bool = True,
    strict: bool = False,
) -> Admission:
    config = config or default_config()
    decoded = decode(doc)
    if decoded.experiment is None:
        return Admission(False, tuple(decoded.errors), tuple(decoded.dropped))
    stored, obj = store(decoded.experiment, decoded.sources)
    errors, warnings = _runtime(doc, stored, config, strict)
    warnings = [*decoded.dropped, *warnings]
    old_exp: Experiment | None = None
    if old is not None:
        old_decoded = decode(old)
        if old_decoded.experiment is None:  # "Cannot decode incoming old object"
            return Admission(False, tuple(old_decoded.errors), tuple(warnings), obj, stored)
        old_exp = _stored_with_status(old_decoded.experiment)
    if not namespace_labelled:
        # H-2 is checked before ValidateExperiment, and a 400 ends the request (§3.1)
        h2 = _namespace_error(doc, stored)
        return Admission(False, (h2, *errors), tuple(warnings), obj, stored)
    checked = validate_experiment(stored, old_exp, config, configmaps or {})
    errors = [*(_located(doc, e) for e in checked), *errors]
    return Admission(not errors, tuple(errors), tuple(warnings), obj, stored)


def _runtime(
    doc: Document, stored: Experiment, config: KatibConfig, strict: bool
) -> tuple[list[Diagnostic], list[Diagnostic]]:
    """Run-time findings: (errors, warnings); error-level ones are errors only when strict."""
    errors: list[Diagnostic] = []
    warnings: list[Diagnostic] = []
    for finding in check_runtime(stored, config):
        diag = _located(
            doc,
            FieldError(finding.code, finding.field, "Runtime", finding.message, finding.fix),
            Severity.ERROR if finding.severity == "error" else Severity.WARNING,
        )
        (errors if strict and finding.severity == "error" else warnings).append(diag)
    return errors, warnings


def _stored_with_status(exp: Experiment) -> Experiment:
    stored, _ = store(exp)
    return stored.model_copy(update={"status": exp.status})


def _namespace_error(doc: Document, exp: Experiment) -> Diagnostic:
    ns = exp.metadata.namespace or "default"
    return Diagnostic(
        code="KATIB-H2",
        message=f'Cannot create the Experiment "{exp.metadata.name}" in namespace "{ns}": the '
        'namespace lacks label "katib.kubeflow.org/metrics-collector-injection: enabled"',
        where=doc.where(("metadata", "namespace")),
        hint="label the namespace: kubectl label namespace "
        f"{ns} katib.kubeflow.org/metrics-collector-injection=enabled",
        field="",  # a handler-level 400: Katib names no field (the location still points at it)
        type=BAD_REQUEST,
    )


def _located(doc: Document, err: FieldError, severity: Severity = Severity.ERROR) -> Diagnostic:
    return Diagnostic(
        code=err.code,
        message=err.message,
        severity=severity,
        where=doc.where(field_to_path(err.field)),
        hint=err.fix,
        field=err.field,
        type=err.type,
    )


def configmap_templates(docs: list[Mapping[str, Any]]) -> dict[tuple[str, str], dict[str, str]]:
    """Trial-template ConfigMaps by (namespace, name)."""
    table: dict[tuple[str, str], dict[str, str]] = {}
    for d in docs:
        meta = d.get("metadata") or {}
        data = d.get("data") or {}
        if isinstance(meta, dict) and isinstance(data, dict):
            key = (str(meta.get("namespace") or "default"), str(meta.get("name") or ""))
            table[key] = {str(k): str(v) for k, v in data.items()}
    return table
