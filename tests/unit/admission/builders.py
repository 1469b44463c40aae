"""Builders for admission tests: the fixture Experiment (data/experiment.yaml, written for these
tests), edits by Katib field path, and one call that admits plain data as `admit` does.

Paths are written the way Katib prints them: `spec.parameters[1].feasibleSpace.max`.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from compiler.admission import Admission, admit, configmap_templates
from compiler.admission.katibconfig import KatibConfig, config_from_document, default_config
from compiler.load.files import load_file
from compiler.model.source import Document
from compiler.yamlsafe import parse_documents

DATA = Path(__file__).parent / "data"
FIXTURE = DATA / "experiment.yaml"
Obj = dict[str, Any]
Edit = Callable[[Obj], None]
_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


@cache
def _fixture() -> Obj:
    data = load_file(FIXTURE)[0].data
    assert isinstance(data, dict)
    return data


def experiment() -> Obj:
    """A fresh copy of the valid fixture."""
    return copy.deepcopy(_fixture())


def parts(path: str) -> list[str | int]:
    return [int(i) if i else name for name, i in _PART.findall(path)]


def get(obj: Any, path: str) -> Any:
    for part in parts(path):
        obj = obj[part]
    return obj


def put(obj: Obj, path: str, value: Any) -> None:
    """Set a value, creating mappings on the way."""
    *head, last = parts(path)
    node: Any = obj
    for part in head:
        if isinstance(node, dict) and not isinstance(node.get(part), dict | list):
            node[part] = {}
        node = node[part]
    node[last] = copy.deepcopy(value)


def remove(obj: Obj, path: str) -> None:
    *head, last = parts(path)
    node: Any = obj
    for part in head:
        node = node[part]
    del node[last]


def set_(path: str, value: Any) -> Edit:
    return lambda obj: put(obj, path, value)


def del_(path: str) -> Edit:
    return lambda obj: remove(obj, path)


def chain(*edits: Edit) -> Edit:
    def apply(obj: Obj) -> None:
        for edit in edits:
            edit(obj)

    return apply


def edited(*edits: Edit) -> Obj:
    obj = experiment()
    chain(*edits)(obj)
    return obj


@dataclass
class Cluster:
    """What the cluster contributes: the stored object (UPDATE), ConfigMaps, the katib-config
    (text of a ConfigMap or a bare KatibConfig), the namespace label."""

    old: Obj | None = None
    configmaps: list[Obj] = field(default_factory=list)
    katib_config: str | None = None
    unlabelled: bool = False


def config_from_text(text: str) -> KatibConfig:
    docs = parse_documents(text, "katib-config.yaml")
    config, embedded = config_from_document(docs[0].data, "katib-config.yaml")
    if embedded is not None:
        config, _ = config_from_document(parse_documents(embedded, "inner")[0].data, "inner")
    return config


def run(obj: Obj, cluster: Cluster | None = None, *, strict: bool = False) -> Admission:
    """Admit plain data, as `katib-gitops admit` admits a parsed file."""
    c = cluster or Cluster()
    return admit(
        Document(obj, "experiment.yaml"),
        old=Document(c.old, "old.yaml") if c.old is not None else None,
        config=config_from_text(c.katib_config) if c.katib_config else default_config(),
        configmaps=configmap_templates(c.configmaps),
        namespace_labelled=not c.unlabelled,
        strict=strict,
    )


def found(verdict: Admission) -> list[tuple[str, str, str]]:
    """(field, type, code) of every error, in order."""
    return [(d.field, d.type, d.code) for d in verdict.errors]


def codes(verdict: Admission, *, warnings: bool = False) -> set[str]:
    return {d.code for d in (verdict.warnings if warnings else verdict.errors)}
