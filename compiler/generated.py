"""The only writer of generated/: write changed files, remove stale ones, or (--check) show how
generated/ differs from what the specs compile to."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

from compiler.errors import InputError
from compiler.model.source import Location
from compiler.render.manifests import ManifestSet


@dataclass
class WriteResult:
    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0


def _existing(out: Path) -> dict[str, Path]:
    if not out.is_dir():
        return {}
    return {p.relative_to(out).as_posix(): p for p in sorted(out.rglob("*")) if p.is_file()}


def write(out: Path, files: ManifestSet) -> WriteResult:
    try:
        return _write(out, files)
    except OSError as exc:  # generated/ is a file, read-only, on a full disk...
        where = str(exc.filename or out)
        raise InputError(
            f"cannot write generated/: {exc.strerror or exc}",
            Location(where),
            f"make {out} a folder this user can write",
            code="INPUT-WRITE",
        ) from None


def _write(out: Path, files: ManifestSet) -> WriteResult:
    result = WriteResult()
    wanted = files.as_dict()
    for rel, path in _existing(out).items():
        if rel not in wanted:
            path.unlink()
            result.removed.append(rel)
    for rel, text in wanted.items():
        target = out / rel
        data = text.encode("utf-8")
        if target.is_file() and target.read_bytes() == data:
            result.unchanged += 1
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.tmp")
        tmp.write_bytes(data)
        tmp.replace(target)  # atomic: a reader never sees half a file
        result.written.append(rel)
    _prune_empty_dirs(out)
    return result


def _prune_empty_dirs(out: Path) -> None:
    if not out.is_dir():
        return
    for d in sorted((p for p in out.rglob("*") if p.is_dir()), key=lambda p: -len(p.parts)):
        if not any(d.iterdir()):
            d.rmdir()


def diff(out: Path, files: ManifestSet, label: str = "generated") -> list[str]:
    """A unified diff from what is in generated/ to what it should be; empty when up to date."""
    wanted = files.as_dict()
    have = _existing(out)
    lines: list[str] = []
    for rel in sorted(set(wanted) | set(have)):
        old = have[rel].read_text("utf-8", errors="replace") if rel in have else ""
        new = wanted.get(rel, "")
        if old == new and rel in have:
            continue
        lines += difflib.unified_diff(
            old.splitlines(keepends=True),
            new.splitlines(keepends=True),
            fromfile=f"a/{label}/{rel}" if rel in have else "/dev/null",
            tofile=f"b/{label}/{rel}" if rel in wanted else "/dev/null",
        )
    return lines
