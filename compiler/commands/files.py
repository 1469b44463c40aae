"""Writing a single output file that a user asked for by name (`-o FILE`)."""

from __future__ import annotations

from pathlib import Path


def write_text(path: str, text: str, *, force: bool = True) -> None:
    target = Path(path)
    if target.exists() and not force:
        from compiler.errors import UsageError

        raise UsageError(f"{path} exists; pass --force to overwrite it")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_text(text, encoding="utf-8", newline="\n")
    tmp.replace(target)
