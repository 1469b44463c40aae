"""The journal: append-only, fsynced, tolerant of a torn last line only."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.execute.errors import StateError
from compiler.execute.journal import Journal, read


def test_round_trip_and_torn_tail_is_cut(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    j = Journal(path)
    j.append([{"event": "a"}, {"event": "b"}])
    j.close()
    with path.open("ab") as f:
        f.write(b'{"event": "c", "at"')  # a write torn by SIGKILL
    events, _ = read(path)
    assert [e["event"] for e in events] == ["a", "b"]
    j = Journal(path)
    j.append([{"event": "d"}])
    j.close()
    assert [e["event"] for e in read(path)[0]] == ["a", "b", "d"]
    assert path.read_bytes().count(b"\n") == 3


def test_damage_in_the_middle_stops(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    path.write_bytes(b'{"event": "a"}\n\x00garbage\n{"event": "b"}\n')
    with pytest.raises(StateError, match="line 2"):
        read(path)


def test_non_object_line_is_damage(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    path.write_bytes(b'[1]\n{"event": "b"}\n')
    with pytest.raises(StateError):
        read(path)


def test_one_writer_at_a_time(tmp_path: Path) -> None:
    j = Journal(tmp_path / "journal.jsonl")
    with pytest.raises(StateError, match="in use"):
        Journal(tmp_path / "journal.jsonl")
    j.close()
    Journal(tmp_path / "journal.jsonl").close()
