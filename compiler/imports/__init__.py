"""Katib Experiment manifest → the shortest spec that compiles back to exactly what Katib stores
(`katib-gitops import`).

Pure: documents in, spec data and text out. Each manifest goes through Katib's admission
(`compiler.admission`) to get the stored object; `search` then builds the spec section by section,
shortest form first, compiles it in memory (`compiler.pipeline`) and falls back to rawer forms
until the compiled object equals the stored one byte for byte. The text written (YAML or Python)
is checked the same way.

Rooms: `text` (strings and placeholders), `sections` and `trial`/`shortjob` (candidate forms),
`search` (the fallback loop), `yamltext` (the YAML writer).
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from compiler.admission import EXPERIMENT_TYPE, Admission, ConfigMaps, KatibConfig, admit
from compiler.admission.decodehints import as_meant
from compiler.admission.template import go_numbers
from compiler.errors import InputError
from compiler.imports.pytext import python_text
from compiler.imports.search import Found, compiler_for, search
from compiler.imports.yamltext import render
from compiler.kubetypes import roundtrip_json
from compiler.model.source import Document, Path, katib_path
from compiler.normalize import SpecContext
from compiler.pipeline import compile_document
from compiler.yamlout import dump
from compiler.yamlsafe import parse_documents

KEPT_METADATA = ("name", "namespace", "labels", "annotations")
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
SCHEMA_URL = "../../schemas/spec.schema.json"

__all__ = [
    "SCHEMA_URL",
    "Imported",
    "check_python",
    "check_yaml",
    "import_experiment",
    "python_spec_text",
    "yaml_text",
]


@dataclass(frozen=True)
class Imported:
    """One Experiment, imported."""

    file: str
    index: int
    name: str
    folder: str  # the namespace of the folder the spec is meant for
    spec: dict[str, Any]
    admission: Admission
    stored: dict[str, Any] | None  # what Katib stores for the manifest (None: cannot decode)
    found: Found
    notes: tuple[str, ...] = field(default=())

    @property
    def exact(self) -> bool:
        """The spec compiles back to the stored object, byte for byte."""
        return self.stored is not None and self.found.exact


def import_experiment(
    doc: Document,
    *,
    folder: str | None = None,
    config: KatibConfig,
    configmaps: ConfigMaps | None = None,
) -> Imported:
    """The shortest spec for an Experiment document. `folder` is the namespace of the folder the
    spec will live in (specs/<folder>/...); by default the manifest's own namespace."""
    manifest, notes = _prepare(doc.data, folder)
    templates = dict(configmaps or {})
    admission = admit(dataclasses.replace(doc, data=manifest), config=config, configmaps=templates)
    stored = admission.object
    source = stored
    if source is None:  # what Go can read of it: the spec is written anyway, to be fixed there
        source, dropped = decodable(manifest, doc.booleans)
        notes += dropped
    meta = source.get("metadata") or {}
    namespace = meta.get("namespace")
    folder = folder or (namespace if isinstance(namespace, str) and namespace else "default")
    run = compiler_for(doc.file, folder, config, templates) if stored is not None else None
    found = search(source, folder, run)
    name = str(meta.get("name", ""))
    return Imported(
        doc.file, doc.index, name, folder, found.spec, admission, stored, found, tuple(notes)
    )


def decodable(
    manifest: dict[str, Any], booleans: Mapping[Path, str] | None = None
) -> tuple[dict[str, Any], list[str]]:
    """What Go's decoder reads of a manifest Katib cannot decode, with a note for each change:
    a value of the wrong type is written as KATIB-H1's hint says when the fix is plain (`0.01`
    quoted, `y` quoted as its spelling in `booleans`, `"6"` unquoted), else left out (the
    spec's forms are built from Katib's types, so they need values of those types); unknown
    fields are dropped."""
    result = roundtrip_json(go_numbers(manifest), EXPERIMENT_TYPE)
    notes = [
        (p, "an unknown field, which Katib drops: left out of the spec") for p in result.unknown
    ]
    retyped = copy.deepcopy(manifest) if result.errors else manifest
    changed = False
    for error in result.errors:
        found, value = _at(retyped, error.path)
        ok, meant = as_meant(error.message, value, (booleans or {}).get(error.path))
        if found and ok and error.path:
            _put(retyped, error.path, meant)
            notes.append((error.path, f"Katib cannot decode it (KATIB-H1): written as {meant!r}"))
            changed = True
    if changed:
        result = roundtrip_json(go_numbers(retyped), EXPERIMENT_TYPE)
    shaped = result.value if isinstance(result.value, dict) else {}
    shaped.pop("status", None)
    for error in sorted(result.errors, key=lambda e: _sort_key(e.path), reverse=True):
        if error.path:
            _remove(shaped, error.path)  # a zero value, unless omitempty left it out already
            notes.append((error.path, "Katib cannot decode it (KATIB-H1): left out of the spec"))
    notes.sort(key=lambda n: _sort_key(n[0]))
    return shaped, [f"{katib_path(p)}: {text}" for p, text in notes]


def _at(data: Any, path: Path) -> tuple[bool, Any]:
    for part in path:
        if not _has(data, part):
            return False, None
        data = data[part]
    return True, data


def _put(data: Any, path: Path, value: Any) -> None:
    found, parent = _at(data, path[:-1])
    if found and _has(parent, path[-1]):
        parent[path[-1]] = value


def _sort_key(path: Path) -> tuple[tuple[int, Any], ...]:
    return tuple((0, p) if isinstance(p, int) else (1, p) for p in path)


def _remove(data: Any, path: Path) -> None:
    for part in path[:-1]:
        if not _has(data, part):
            return
        data = data[part]
    if _has(data, path[-1]):
        del data[path[-1]]


def _has(node: Any, part: str | int) -> bool:
    if isinstance(node, dict):
        return part in node
    return isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)


def _prepare(data: Any, folder: str | None) -> tuple[dict[str, Any], list[str]]:
    """The manifest with what a spec cannot say (and the cluster sets) taken out, and a
    namespace."""
    notes: list[str] = []
    manifest = {k: v for k, v in data.items() if k != "status"}
    if "status" in data:
        notes.append("status is the cluster's observation, not part of the spec: left out")
    raw_meta = data.get("metadata")
    meta = dict(raw_meta) if isinstance(raw_meta, Mapping) else {}
    dropped = [str(k) for k in meta if k not in KEPT_METADATA]
    if dropped:
        notes.append(
            f"metadata.{', metadata.'.join(dropped)}: set by the cluster or not expressible "
            "in a spec: left out"
        )
    meta = {k: v for k, v in meta.items() if k in KEPT_METADATA}
    annotations = meta.get("annotations")
    if isinstance(annotations, Mapping) and LAST_APPLIED in annotations:
        meta["annotations"] = {k: v for k, v in annotations.items() if k != LAST_APPLIED}
        notes.append(f"annotation {LAST_APPLIED} (written by kubectl apply): left out")
    if meta.get("namespace") in (None, ""):
        meta["namespace"] = folder or "default"
        notes.append(f"the manifest has no namespace: imported into {meta['namespace']!r}")
    manifest["metadata"] = meta
    return manifest, notes


def yaml_text(imported: list[Imported], schema_url: str | None = SCHEMA_URL) -> str:
    """The specs as YAML documents; readable, or every string quoted when the readable form
    would not read back as the same data."""
    header = f"# yaml-language-server: $schema={schema_url}" if schema_url else None
    texts = []
    for i, one in enumerate(imported):
        text = render(one.spec, header if i == 0 else None)
        if not _reads_back(text, one.spec):
            text = render(one.spec, header if i == 0 else None, safe=True)
        texts.append(text)
    return "---\n".join(texts)


def _reads_back(text: str, data: dict[str, Any]) -> bool:
    try:
        docs = parse_documents(text, "<import>")
    except InputError:
        return False
    return len(docs) == 1 and _same(docs[0].data, data)


def _same(a: Any, b: Any) -> bool:
    """Equal, with the same types (1 is not 1.0, True is not 1) and the same key order."""
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def python_spec_text(
    imported: list[Imported], config: KatibConfig, configmaps: ConfigMaps | None = None
) -> str:
    """The specs as a Python spec using `compiler.dsl`: with its helpers, or as plain data for
    an experiment whose helper form would not compile to the same object."""
    specs = [one.spec for one in imported]
    text = python_text(specs)
    good = check_python(text, imported, config, configmaps)
    if all(good):
        return text
    return python_text(specs, [not ok for ok in good])


def check_yaml(
    text: str,
    file: str,
    imported: list[Imported],
    config: KatibConfig,
    configmaps: ConfigMaps | None = None,
) -> list[bool]:
    """Compile the written YAML; for each experiment, whether it gives what Katib stores for
    its manifest, byte for byte."""
    docs = [d for d in parse_documents(text, file) if d.data is not None]
    return _compiles_to(docs, imported, config, configmaps)


def check_python(
    text: str, imported: list[Imported], config: KatibConfig, configmaps: ConfigMaps | None = None
) -> list[bool]:
    """Run the written Python spec (in this process: the text is ours, built from literals)
    and compile what it declares; as `check_yaml`."""
    file = "<katib-gitops import>"
    data = declared_by(text, file)
    if data is None:
        return [False] * len(imported)
    return _compiles_to([Document(d, file) for d in data], imported, config, configmaps)


def declared_by(text: str, file: str) -> list[dict[str, Any]] | None:
    """The experiments a Python spec declares, or None when it fails."""
    from compiler import dsl

    dsl.reset()
    try:
        code = compile(text, file, "exec")
        exec(code, {"__name__": "katib_gitops_spec"})  # noqa: S102 - our own text, from literals
        return [d.data for d in dsl.declared()]
    except Exception:  # any failure means: write plain data instead
        return None
    finally:
        dsl.reset()


def _compiles_to(
    docs: list[Document],
    imported: list[Imported],
    config: KatibConfig,
    configmaps: ConfigMaps | None,
) -> list[bool]:
    if len(docs) != len(imported):
        return [False] * len(imported)
    out = []
    for doc, one in zip(docs, imported, strict=True):
        compiled = compile_document(doc, SpecContext(doc.file, one.folder), config, configmaps)
        out.append(
            one.stored is not None
            and compiled.manifest is not None
            and dump(compiled.manifest) == dump(one.stored)
        )
    return out
