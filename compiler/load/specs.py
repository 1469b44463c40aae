"""Finding and reading specs: specs/<namespace>/<name>.yaml (or .py). The namespace comes from
the folder; a spec directly in specs/ lands in `default`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from compiler.errors import InputError
from compiler.load.files import load_file
from compiler.model.source import Document, Location

SPEC_SUFFIXES = (".yaml", ".yml", ".py")


@dataclass(frozen=True)
class SpecFile:
    path: Path  # on disk
    rel: str  # as shown and recorded: relative to the repository root, POSIX
    namespace: str

    @property
    def stem(self) -> str:
        return self.path.stem


def discover(
    root: Path, specs_dir: str = "specs", paths: list[str] | None = None
) -> list[SpecFile]:
    """Every spec under the given paths (files or folders), sorted by path."""
    base = root / specs_dir
    targets = [Path(p) if Path(p).is_absolute() else root / p for p in paths] if paths else [base]
    found: set[Path] = set()
    for t in targets:
        if t.is_dir():
            found |= {p for p in t.rglob("*") if p.is_file() and p.suffix in SPEC_SUFFIXES}
        elif t.is_file():
            found.add(t)
        else:
            raise InputError(f"no such file or folder: {t}", Location(str(t)), code="INPUT-READ")
    root_resolved, base_resolved = root.resolve(), base.resolve()  # once, not once a file
    folders: dict[Path, Path] = {}
    return sorted(
        (_spec_file(root_resolved, base_resolved, p, folders) for p in found),
        key=lambda s: s.rel,
    )


def _spec_file(root: Path, base: Path, path: Path, folders: dict[Path, Path]) -> SpecFile:
    """`root` and `base` resolved already; `folders` remembers each folder resolved."""
    if path.is_symlink():
        resolved = path.resolve()
    else:  # the file's real path is its real folder's and its name: one resolve a folder
        folder = folders.get(path.parent)
        if folder is None:
            folder = folders[path.parent] = path.parent.resolve()
        resolved = folder / path.name
    try:
        rel = resolved.relative_to(root).as_posix()
    except ValueError:
        rel = path.as_posix()
    try:
        parts = resolved.relative_to(base).parts
        namespace = parts[0] if len(parts) > 1 else "default"
    except ValueError:
        namespace = "default"
    return SpecFile(path, rel, namespace)


def read_yaml_spec(spec: SpecFile, data: bytes | None = None) -> list[Document]:
    """`data`: the file's bytes, when already read (the compile cache keys on them)."""
    return [d for d in load_file(spec.path, name=spec.rel, data=data) if d.data is not None]
