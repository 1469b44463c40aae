"""What several commands share: the katib-config and ConfigMaps they read, and diagnostics
as JSON. Admission is imported only by the functions that read for it: `validate` of an
unchanged spec (a compile-cache hit) needs none of it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from compiler.errors import InputError
from compiler.load.files import load_file
from compiler.model.diagnostics import Diagnostic
from compiler.model.source import Document, Location
from compiler.yamlsafe import parse_documents

if TYPE_CHECKING:
    from compiler.admission.katibconfig import KatibConfig

ConfigMapTable = dict[tuple[str, str], dict[str, str]]


def load_katib_config(path: str | None) -> KatibConfig:
    from compiler.admission.katibconfig import KatibConfigError, config_from_document
    from compiler.admission.katibconfig import default_config as default_katib_config

    if path is None:
        return default_katib_config()
    docs = load_file(path)
    if not docs:
        raise InputError("empty katib-config file", Location(path))
    doc = docs[0]
    try:
        config, embedded = config_from_document(doc.data, path)
        if embedded is not None:
            inner = parse_documents(embedded, f"{path} (data.katib-config.yaml)")
            doc = inner[0] if inner else Document({}, doc.file)
            config, _ = config_from_document(doc.data, path)
    except KatibConfigError as exc:
        raise InputError(f"not a katib-config: {exc}", doc.where(exc.path)) from None
    return config


def load_configmaps(paths: Sequence[str]) -> ConfigMapTable:
    if not paths:  # the common case: no --configmap
        return {}
    from compiler.admission import configmap_templates

    docs = [d.data for p in paths for d in load_file(p)]
    return configmap_templates(
        [d for d in docs if isinstance(d, dict) and d.get("kind") == "ConfigMap"]
    )


def diagnostic_json(d: Diagnostic) -> dict[str, Any]:
    out: dict[str, Any] = {"field": d.field, "type": d.type, "message": d.message, "code": d.code}
    if d.where is not None:
        out["location"] = str(d.where)
    if d.hint:
        out["hint"] = d.hint
    out["severity"] = d.severity.value
    return out


def input_diagnostic(exc: InputError) -> Diagnostic:
    return Diagnostic(code=exc.code, message=exc.message, where=exc.where, hint=exc.hint)
