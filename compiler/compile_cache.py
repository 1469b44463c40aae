"""The only user of `.state/compile-cache/`: what each unchanged spec file compiled to, so that
a compile redoes only the specs that changed.

An entry is one spec file's compiled experiments, exactly as a cold compile gives them, keyed by
this user's secret (`compiler.cachesalt`: an entry committed with the repository, say by a pull
request, is never read) and everything that compile reads: the file's bytes and path (its
namespace and default name come from the path), the katib-config's content digest and source,
the trial-template ConfigMaps passed in, and the compiler itself (its version, Python's and its
libraries', and the size and time of every file of the package, so that an edited checkout never
reads what an older compiler wrote). Policies are not in the key: compile's policy pass runs
after this cache and caches its own findings (`policy/cache.py`, keyed by the policies' digest).
Python specs are not cached: they run code, which may read more than their bytes.

Each entry is a file named by the compiler's digest and its key, written atomically; its first
line is the length and CRC-32 of the rest, so a truncated or damaged file is a miss, never a
wrong answer. A hit restores what every command reads at once (names, revisions, diagnostics,
the rendered manifest, its kustomization patch) and the rest on first use: the stored manifest
and the located document are decoded from the entry, the validated spec is validated again
from the bytes, and the Experiment model (which `run` and a policy evaluation read, never
`compile` or `validate` of a hit) comes from compiling the document again: exact by
construction, and nothing to store. A compile that writes entries drops those of any other
compiler (`prune`).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import zlib
from collections.abc import Callable, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from compiler import __version__
from compiler.admission.katibconfig import KatibConfig
from compiler.cachesalt import salt
from compiler.errors import InputError
from compiler.load.files import read_bytes
from compiler.load.specs import SpecFile, read_yaml_spec
from compiler.model.diagnostics import Diagnostic, Severity
from compiler.model.katib import Experiment
from compiler.model.source import Document, Location
from compiler.model.spec import ExperimentSpec
from compiler.normalize import SpecContext
from compiler.pipeline import Compiled, Deferred, compile_document
from compiler.render.manifests import patch_text
from compiler.validate import validate_spec

FOLDER = Path(".state") / "compile-cache"
FORMAT = 3
LIMIT = 20_000  # entries kept (some 12 kB each); beyond it the older half goes
CODE = 12  # hex digits of the compiler's digest that begin an entry's name


@cache
def code_digest() -> str:
    """The compiler as installed: versions, and the size and time of each of its files."""
    package = Path(__file__).resolve().parent
    h = hashlib.sha256(f"{FORMAT}\0{__version__}\0{sys.version}\0".encode())
    import pydantic
    import yaml

    h.update(f"{pydantic.VERSION}\0{yaml.__version__}\0".encode())
    stack = [package]
    while stack:
        folder = stack.pop()
        with os.scandir(folder) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                if entry.is_dir(follow_symlinks=False):
                    if entry.name != "__pycache__":
                        stack.append(Path(entry.path))
                elif not entry.name.endswith(".pyc"):
                    st = entry.stat()
                    h.update(f"{entry.path}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
    return h.hexdigest()


def base_key(config: KatibConfig, configmaps: Mapping[Any, Mapping[str, str]]) -> str:
    """What every spec file's key shares; this user's secret first (`compiler.cachesalt`), so
    that an entry committed with the repository is never read."""
    maps = sorted([list(k), sorted(v.items())] for k, v in configmaps.items())
    parts = [salt(), code_digest(), config.digest(), config.source, maps]
    text = json.dumps(parts, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class CompileCache:
    folder: Path | None  # None: a cache that keeps nothing (--no-cache)
    base: str = ""
    config: KatibConfig | None = None  # what a hit compiles again with, when asked
    configmaps: Mapping[Any, Mapping[str, str]] = field(default_factory=dict)
    hits: int = 0
    written: int = 0
    unwritable: bool = False

    @classmethod
    def open(
        cls,
        root: Path | None,
        config: KatibConfig,
        configmaps: Mapping[Any, Mapping[str, str]],
    ) -> CompileCache:
        if root is None:
            return cls(None)
        return cls(root / FOLDER, base_key(config, configmaps), config, configmaps)

    def key(self, spec: SpecFile, data: bytes) -> str:
        h = hashlib.sha256(f"{self.base}\0{spec.rel}\0{spec.namespace}\0{spec.stem}\0".encode())
        h.update(data)
        return h.hexdigest()

    def lookup(self, spec: SpecFile) -> tuple[list[Compiled] | None, bytes | None]:
        """The spec file's compiled experiments if cached, and its bytes (None when they
        cannot be read: the loader then says why)."""
        if self.folder is None or spec.path.suffix == ".py":
            return None, None
        try:
            data = read_bytes(spec.path)
        except InputError:
            return None, None
        key = self.key(spec, data)
        try:
            raw = (self.folder / self._name(key)).read_bytes()
            found = _restore(raw, key, spec, data, self._again(spec, data))
        except (
            OSError,
            ValueError,
            KeyError,
            TypeError,
            IndexError,
            AttributeError,
            RecursionError,
        ):
            return None, data  # no entry, or one that is damaged: compile again
        self.hits += 1
        return found, data

    def _again(self, spec: SpecFile, data: bytes) -> Callable[[int], Compiled]:
        """The spec file's document `index`, compiled again (once, when first asked)."""
        done: dict[int, Compiled] = {}
        config = self.config
        assert config is not None

        def again(index: int) -> Compiled:
            if index not in done:
                docs = read_yaml_spec(spec, data)
                doc = next(d for d in docs if d.index == index)
                ctx = SpecContext(spec.rel, spec.namespace)
                default_name = spec.stem if len(docs) == 1 else None
                done[index] = compile_document(doc, ctx, config, self.configmaps, default_name)
            return done[index]

        return again

    def store(self, spec: SpecFile, data: bytes | None, compiled: list[Compiled]) -> None:
        """Keep what a spec file compiled to (atomically: a reader sees all of it or none)."""
        if self.folder is None or self.unwritable or data is None or spec.path.suffix == ".py":
            return
        key = self.key(spec, data)
        try:
            blob = _entry(key, compiled)
        except (TypeError, ValueError, RecursionError):
            return  # something JSON cannot hold: compiled each time
        if blob is None:
            return
        tmp = self.folder / f".{key}.{os.getpid()}.tmp"  # this process's own: no other writes it
        try:
            if not self.written:
                self.folder.mkdir(parents=True, exist_ok=True)
            tmp.write_bytes(blob)
            tmp.replace(self.folder / self._name(key))
            self.written += 1
        except OSError:
            self.unwritable = True  # a cache that cannot be written only costs time, once
            with suppress(OSError):
                tmp.unlink(missing_ok=True)

    def _name(self, key: str) -> str:
        """An entry's file: the compiler's digest first, so that `prune` knows its own."""
        return f"{code_digest()[:CODE]}-{key}.entry"

    def prune(self) -> None:
        """After a compile that wrote entries: drop those another compiler wrote (an edited
        checkout or another version never reads them), and past LIMIT the older half."""
        if self.folder is None or not self.written:
            return
        own = code_digest()[:CODE] + "-"
        try:
            with os.scandir(self.folder) as it:
                entries = [e for e in it if e.name.endswith(".entry")]
            kept = []
            for e in entries:
                if e.name.startswith(own):
                    kept.append(e)
                else:
                    Path(e.path).unlink(missing_ok=True)
            if len(kept) <= LIMIT:
                return
            kept.sort(key=lambda e: e.stat().st_mtime_ns)
            for e in kept[: len(kept) - LIMIT // 2]:
                Path(e.path).unlink(missing_ok=True)
        except OSError:
            pass


# --- the entry file -----------------------------------------------------------------------


def _entry(key: str, compiled: list[Compiled]) -> bytes | None:
    payload = bytearray()

    def part(data: bytes) -> list[int]:
        start = len(payload)
        payload.extend(data)
        return [start, len(data)]

    docs = []
    for c in compiled:
        located = c.located
        if located is not None and any(v.file != located.file for v in located.values.values()):
            return None  # not worth a format of its own: compiled each time
        manifest = c.manifest
        rendered = c.rendered if manifest is not None else None
        # the manifest is what Go's json.Marshal gave (`kubetypes`): JSON by construction
        manifest_json = None if manifest is None else _dumps(manifest)
        located_json = None if located is None else _located(located)
        if (manifest is not None and manifest_json is None) or (
            located is not None and located_json is None
        ):
            return None  # JSON would not give it back (a date, a key that is not a string)
        docs.append(
            {
                "index": c.index,
                "name": c.name,
                "spec": c.spec is not None,
                "revision": c.revision,
                "metadata": None if manifest is None else _names(manifest),
                "diagnostics": [_diagnostic(d) for d in c.diagnostics],
                "manifest": None if manifest_json is None else part(manifest_json),
                "experiment": c.experiment is not None,
                "located": None if located_json is None else part(located_json),
                "rendered": None if rendered is None else part(rendered.encode()),
                "patch": None if manifest is None else patch_text(c),
            }
        )
    head = json.dumps({"format": FORMAT, "key": key, "docs": docs}, ensure_ascii=False)
    body = head.encode() + b"\n" + bytes(payload)
    return _check(body) + b"\n" + body


def _check(body: bytes) -> bytes:
    """The entry's first line: its length and CRC-32 (damage, not malice, is what a local
    cache meets; the key is a sha256 of the inputs)."""
    return f"{len(body)}:{zlib.crc32(body):08x}".encode()


def _restore(
    raw: bytes, key: str, spec: SpecFile, data: bytes, again: Callable[[int], Compiled]
) -> list[Compiled]:
    digest, _, body = raw.partition(b"\n")
    if _check(body) != digest:
        raise ValueError("damaged entry")
    head_text, _, payload = body.partition(b"\n")
    head = json.loads(head_text)
    if head["format"] != FORMAT or head["key"] != key:
        raise ValueError("another entry")
    return [_compiled(d, spec, data, payload, again) for d in head["docs"]]


def _compiled(
    d: dict[str, Any],
    spec: SpecFile,
    data: bytes,
    payload: bytes,
    again: Callable[[int], Compiled],
) -> Compiled:
    def part(ref: list[int]) -> bytes:
        start, size = ref
        if start < 0 or start + size > len(payload):
            raise ValueError("damaged entry")
        return payload[start : start + size]

    index = int(d["index"])
    manifest_ref, located_ref, text_ref = d["manifest"], d["located"], d["rendered"]
    manifest: Deferred[dict[str, Any] | None] = Deferred(
        _decoder(part(manifest_ref)) if manifest_ref is not None else _none
    )
    located = None if located_ref is None else _located_from(part(located_ref), spec.rel, index)
    experiment = _experiment_from(again, index) if d["experiment"] is True else None
    return Compiled(
        spec.rel,
        index,
        spec=Deferred(lambda: _spec(spec, data, index)) if d["spec"] else None,
        manifest=manifest,
        experiment=experiment,
        revision=str(d["revision"]),
        diagnostics=tuple(_diagnostic_from(x) for x in d["diagnostics"]),
        located=located,
        rendered=part(text_ref).decode() if text_ref is not None else None,
        known_name=str(d["name"]),
        known_metadata=d["metadata"],
        known_patch=None if d["patch"] is None else str(d["patch"]),
    )


def _names(manifest: dict[str, Any]) -> dict[str, Any]:
    """What is read of a manifest before anything asks for all of it."""
    meta = manifest["metadata"]
    return {k: meta[k] for k in ("name", "namespace") if k in meta}


def _none() -> None:
    return None


def _decoder(raw: bytes) -> Callable[[], Any]:
    return lambda: json.loads(raw)


def _located_from(raw: bytes, file: str, index: int) -> Deferred[Document]:
    return Deferred(lambda: _document(json.loads(raw), file, index))


def _experiment_from(again: Callable[[int], Compiled], index: int) -> Deferred[Experiment | None]:
    return Deferred(lambda: again(index).experiment)


def _dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def _plain_json(value: Any) -> bytes | None:
    """The JSON text of `value`, if reading it back gives `value` again. JSON keeps the order
    of keys and tells int, float, bool and str apart, so `==` (which would not) is enough to
    catch what it does not keep: a key that is not a string, a tuple, a NaN; None when it
    cannot be written at all (a date, say)."""
    try:
        text = _dumps(value)
    except (TypeError, ValueError, RecursionError):
        return None
    return text if json.loads(text) == value else None


def _diagnostic(d: Diagnostic) -> list[Any]:
    w = d.where
    where = None if w is None else [w.file, w.line, w.column]
    return [d.code, d.message, d.severity.value, where, d.hint, d.field, d.type]


def _diagnostic_from(x: list[Any]) -> Diagnostic:
    code, message, severity, where, hint, field, type_ = x
    loc = None if where is None else Location(str(where[0]), int(where[1]), int(where[2]))
    return Diagnostic(
        code=code,
        message=message,
        severity=Severity(severity),
        where=loc,
        hint=hint,
        field=field,
        type=type_,
    )


def _located(doc: Document) -> bytes | None:
    """The located document as JSON: its data (checked: it holds what the spec's YAML gave)
    and its table of locations (paths of str and int, lines and columns: JSON as it is)."""
    data = _plain_json(doc.data)
    if data is None:
        return None
    table = [[list(k), v.line, v.column] for k, v in doc.values.items()]
    return b"[" + data + b"," + _dumps(table) + b"]"


def _document(raw: list[Any], file: str, index: int) -> Document:
    data, table = raw
    values = {tuple(path): Location(file, line, column) for path, line, column in table}
    return Document(data, file, index, values=values)


def _spec(spec: SpecFile, data: bytes, index: int) -> ExperimentSpec | None:
    """The validated spec, again from the same bytes (what the cold compile did)."""
    docs = read_yaml_spec(spec, data)
    default_name = spec.stem if len(docs) == 1 else None
    doc = next(d for d in docs if d.index == index)
    found, _ = validate_spec(doc, default_name)
    return found
