"""The only user of `.state/policy-cache.json`: the findings of unchanged experiments, so that
`check` does not re-check them.

An entry's key is a hash of this user's secret (`compiler.cachesalt`: a file committed with
the repository never matches) and of everything its findings depend on: the policies' digest (the
built-in pack's code, the configuration, the cluster profile, the repository's rules), the
stored Experiment, the spec locations its Katib paths map to, and the spec's path. Waivers are
applied after the cache, so a new or expired waiver never needs a re-check. Entries not used
by a run are kept (a run may check only some specs) up to a limit, oldest dropped first.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from compiler.cachesalt import salt
from compiler.model.diagnostics import Diagnostic, Severity
from compiler.model.source import Document, Location
from compiler.policy.engine import Evaluation, PolicyFinding
from compiler.policy.subject import SpecInfo, Summary

VERSION = 2
LIMIT = 20_000
FILE = Path(".state") / "policy-cache.json"
MARSHAL = 2  # the last format without back-references, which depend on reference counts


def key(digest: str, spec: SpecInfo, manifest: dict[str, Any], located: Document) -> str:
    """marshal is the fastest serializer of plain data; the compiler builds the manifest and
    the location table in a fixed order, so equal inputs give equal bytes."""
    h = hashlib.sha256(
        f"{salt()}\0{digest}\0{MARSHAL}\0{spec.path}\0{spec.index}\0{located.file}".encode()
    )
    table = [(k, v.line, v.column) for k, v in located.values.items()]
    try:
        h.update(marshal.dumps(manifest, MARSHAL) + marshal.dumps(table, MARSHAL))
    except ValueError:  # not plain data after all: slower, still stable
        h.update(json.dumps([manifest, table], default=repr).encode())
    return h.hexdigest()


@dataclass
class Cache:
    path: Path | None  # None: a cache that keeps nothing (--no-cache)
    entries: dict[str, Any] = field(default_factory=dict)
    used: dict[str, Any] = field(default_factory=dict)
    hits: int = 0

    @classmethod
    def open(cls, root: Path | None) -> Cache:
        if root is None:
            return cls(None)
        path = root / FILE
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):  # unreadable: start afresh
            return cls(path)
        ok = isinstance(data, dict) and data.get("version") == VERSION
        entries = data.get("entries") if ok else None
        return cls(path, entries if isinstance(entries, dict) else {})

    def get(self, k: str, spec: SpecInfo) -> Evaluation | None:
        raw = self.entries.get(k)
        if raw is None:
            return None
        try:
            found = _evaluation(raw, spec)
        except (KeyError, TypeError, ValueError):
            return None
        self.used[k] = raw
        self.hits += 1
        return found

    def put(self, k: str, evaluation: Evaluation) -> None:
        self.used[k] = _raw(evaluation)

    def save(self) -> None:
        """Atomically: a concurrent reader sees the old file or the new one."""
        if self.path is None:
            return
        kept = [(k, v) for k, v in self.entries.items() if k not in self.used]
        room = max(0, LIMIT - len(self.used))
        merged = dict(kept[max(0, len(kept) - room) :] if room else [])
        merged.update(self.used)  # the most recently used last: they are dropped last
        text = json.dumps({"version": VERSION, "entries": merged}, separators=(",", ":"))
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".policy-cache.")
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            Path(tmp).replace(self.path)
        except OSError:
            pass  # a cache that cannot be written only costs time


def _where(w: Location | None) -> list[Any] | None:
    return [w.file, w.line, w.column] if w else None


def _location(raw: list[Any] | None) -> Location | None:
    return Location(str(raw[0]), int(raw[1]), int(raw[2])) if raw else None


def _raw(e: Evaluation) -> dict[str, Any]:
    findings = [
        [
            f.rule,
            d.code,
            d.message,
            d.severity.value,
            _where(d.where),
            d.hint,
            d.field,
            list(f.path),
        ]
        for f in e.findings
        for d in [f.diagnostic]
    ]
    s = e.summary
    return {"f": findings, "s": [s.cpu_hours, s.gpu_hours, s.why, _where(s.where), s.field]}


def _evaluation(raw: dict[str, Any], spec: SpecInfo) -> Evaluation:
    findings = tuple(
        PolicyFinding(
            rule,
            Diagnostic(
                code=code,
                message=message,
                severity=Severity(severity),
                where=_location(where),
                hint=hint,
                field=field_,
            ),
            tuple(path),
        )
        for rule, code, message, severity, where, hint, field_, path in raw["f"]
    )
    cpu, gpu, why, where, field_ = raw["s"]
    return Evaluation(findings, Summary(spec, cpu, gpu, why, _location(where), field_))
