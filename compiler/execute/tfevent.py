"""The TensorFlowEvent collector (reference §5.4), through tensorboard's EventAccumulator.

Every file under the directory is read (a file that fails is skipped, as Katib's loader
does), TENSORS tags then SCALARS tags. A tag counts for metric `m` when it starts with the last
`/` part of `m` and the file's directory ends with the directory part of `m` (a name without
`/` matches any directory). Timestamps come from the events' wall time.

tensorboard is the optional extra `tfevent`; without it the run stops before any trial.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from compiler.execute.errors import LocalUnsupported
from compiler.execute.metrics import Log

INSTALL = "pip install 'katib-gitops[tfevent]'  (or: pip install tensorboard)"


def require() -> None:
    try:
        import tensorboard.backend.event_processing.event_accumulator  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: F401
    except ImportError:
        raise LocalUnsupported(
            "the TensorFlowEvent collector reads events with tensorboard, which is not installed",
            INSTALL,
        ) from None


def should_consider(tag: str, metric: str, event_file: str) -> bool:
    parent = (
        posixpath.dirname(metric) if len(metric.split("/")) >= 2 else posixpath.dirname(event_file)
    )
    return tag.startswith(metric.rsplit("/", maxsplit=1)[-1]) and posixpath.dirname(
        event_file
    ).endswith(parent)


def read_events(directory: Path, names: Sequence[str]) -> list[Log]:
    logs: list[Log] = []
    if not directory.is_dir():
        return logs
    for root, _, files in sorted(os.walk(directory)):
        for f in sorted(files):
            try:
                logs += _parse(posixpath.join(root, f), names)
            except Exception:  # noqa: S112 — Katib's loader skips unreadable files
                continue
    return logs


def _parse(path: str, names: Sequence[str]) -> list[Log]:
    from tensorboard.backend.event_processing import (  # type: ignore[import-untyped,import-not-found,unused-ignore]
        event_accumulator as ea,
    )
    from tensorboard.backend.event_processing.tag_types import (  # type: ignore[import-untyped,import-not-found,unused-ignore]
        SCALARS,
        TENSORS,
    )
    from tensorboard.util.tensor_util import make_ndarray  # type: ignore[import-untyped,import-not-found,unused-ignore]

    acc = ea.EventAccumulator(path, size_guidance={SCALARS: 0, TENSORS: 0})
    acc.Reload()
    tags = acc.Tags()
    logs: list[Log] = []
    for tag in tags[TENSORS]:
        for m in names:
            if should_consider(tag, m, path):
                logs += [
                    Log(m, str(make_ndarray(t.tensor_proto)), _stamp(t.wall_time))
                    for t in acc.Tensors(tag)
                ]
    for tag in tags[SCALARS]:
        for m in names:
            if should_consider(tag, m, path):
                logs += [Log(m, str(s.value), _stamp(s.wall_time)) for s in acc.Scalars(tag)]
    return logs


def _stamp(wall_time: float) -> str:
    return datetime.fromtimestamp(wall_time, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
