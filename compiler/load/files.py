"""Reading input files: size-limited, UTF-8, parsed by the safe YAML parser."""

from __future__ import annotations

from pathlib import Path as FsPath

from compiler.errors import InputError
from compiler.model.source import Document, Location
from compiler.yamlsafe import DEFAULT_LIMITS, Limits, decode_text, parse_documents, too_big


def read_bytes(path: str | FsPath, limits: Limits = DEFAULT_LIMITS) -> bytes:
    """Read a whole file, refusing it before reading when it is larger than the limit."""
    name = str(path)
    p = FsPath(path)
    try:
        size = p.stat().st_size
        if size > limits.max_bytes:
            raise too_big(name, size, limits)
        with p.open("rb") as handle:
            data = handle.read(limits.max_bytes + 1)
    except OSError as exc:
        raise InputError(
            f"cannot read file: {exc.strerror or exc}", Location(name), code="INPUT-READ"
        ) from exc
    if len(data) > limits.max_bytes:
        raise too_big(name, len(data), limits)
    return data


def load_file(
    path: str | FsPath,
    limits: Limits = DEFAULT_LIMITS,
    name: str | None = None,
    *,
    go_keys: bool = False,
    data: bytes | None = None,
) -> list[Document]:
    """Parse a YAML file; `name` is how locations name it (default: the path as given).
    `go_keys` reads plain keys as kubectl does (`on:` is the key "true"): for Kubernetes
    manifests, not for specs, whose keys are our own field names. `data`: the file's bytes,
    when the caller has read them already (`read_bytes`)."""
    shown = name or str(path)
    try:
        raw = read_bytes(path, limits) if data is None else data
        if len(raw) > limits.max_bytes:
            raise too_big(str(path), len(raw), limits)
        text = decode_text(raw, shown)
    except InputError as exc:
        if exc.where is not None and exc.where.file == str(path):
            exc.where = Location(shown, exc.where.line, exc.where.column)
        raise
    return parse_documents(text, shown, limits, go_keys=go_keys)


def kind_location(docs: list[Document], file: str) -> Location:
    """Where to say a file holds no document of the kind wanted: the first document's `kind`
    (its value, or the document when it has none), else the file's first line."""
    for doc in docs:
        if doc.data is not None:
            return doc.where(("kind",)) if isinstance(doc.data, dict) else doc.where(())
    return Location(file, 1, 1)
