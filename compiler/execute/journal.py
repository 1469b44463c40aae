"""The run's journal: one JSON object a line, appended and fsynced, never rewritten.

It is the only record of a run: a run killed at any moment (SIGKILL included) is rebuilt from
it. A write can be torn only at the end, so an unparseable *last* line is dropped (and cut off
before the next append); an unparseable line anywhere else means the file was damaged, and we
stop rather than guess.

Events are written in groups, each with one `write` before the study loop acts on it (a
trial's "created" event is in the file before its process starts), so a killed runner loses
nothing it acted on. A background thread fsyncs after every group, in order, while the trials
run: a machine crash keeps a prefix of the journal, and what it loses is only unfinished work
that resumes as such. `close` waits for the last fsync.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from compiler.execute.errors import StateError

Event = dict[str, Any]


def read(path: Path) -> tuple[list[Event], int]:
    """The events, and the byte length of the good part (where the next append goes)."""
    if not path.exists():
        return [], 0
    data = path.read_bytes()
    events: list[Event] = []
    good = 0
    for number, (start, line, complete) in enumerate(_lines(data), 1):
        try:
            event = json.loads(line) if complete else None
        except ValueError:
            event = None
        if not isinstance(event, dict):
            if start + len(line) + complete >= len(data):  # the last line: a torn write
                break
            raise StateError(
                f"{path}: line {number} is not a journal event (the file is damaged)",
                "restore it, or start the experiment again with --fresh",
            )
        events.append(event)
        good = start + len(line) + 1
    return events, good


def _lines(data: bytes) -> Iterator[tuple[int, bytes, int]]:
    start = 0
    while start < len(data):
        end = data.find(b"\n", start)
        if end < 0:
            yield start, data[start:], 0
            return
        yield start, data[start:end], 1
        start = end + 1


class Journal:
    """Append-only writer; holds an exclusive lock on the state folder while open."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._lock = (path.parent / "lock").open("a")
        except OSError as exc:
            raise StateError(
                f"cannot use the state folder {path.parent}: {exc.strerror or exc}",
                "pass --state a folder this user can write",
            ) from None
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock.close()
            raise StateError(
                f"{path.parent} is in use by another run", "wait for it, or stop it"
            ) from None
        self.events, good = read(path)
        self._file: IO[bytes] = path.open("ab")
        if self._file.tell() != good:
            self._file.truncate(good)  # drop a torn last line before appending
            self._file.seek(good)
        self._dirty = threading.Condition()
        self._pending = False
        self._closing = False
        self._syncer = threading.Thread(target=self._sync_loop, name="journal-fsync", daemon=True)
        self._syncer.start()

    def append(self, events: Sequence[Event]) -> None:
        if not events:
            return
        text = b"".join(_encode(e) for e in events)
        self._file.write(text)
        self._file.flush()  # in the kernel now: safe from a killed process
        self.events.extend(events)
        with self._dirty:
            self._pending = True
            self._dirty.notify()

    def sync(self) -> None:
        os.fsync(self._file.fileno())

    def _sync_loop(self) -> None:
        while True:
            with self._dirty:
                while not self._pending and not self._closing:
                    self._dirty.wait()
                if not self._pending and self._closing:
                    return
                self._pending = False
            self.sync()

    def close(self) -> None:
        with self._dirty:
            self._closing = True
            self._dirty.notify()
        self._syncer.join()
        self.sync()
        self._file.close()
        self._lock.close()


def _encode(event: Event) -> bytes:
    return json.dumps(event, separators=(",", ":"), ensure_ascii=False).encode() + b"\n"
