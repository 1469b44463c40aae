"""The TensorFlowEvent collector on real event files, written with tensorboard's own writer
(reference §5.4): TENSORS and SCALARS tags, Katib's tag and directory matching."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.execute.tfevent import read_events, should_consider

event_file_writer = pytest.importorskip(
    "tensorboard.summary.writer.event_file_writer", reason="the tfevent extra is not installed"
)
from tensorboard.compat.proto import event_pb2, summary_pb2  # noqa: E402


def write_scalars(folder: Path, tag: str, values: list[float]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    writer = event_file_writer.EventFileWriter(str(folder))
    for step, value in enumerate(values):
        summary = summary_pb2.Summary(
            value=[summary_pb2.Summary.Value(tag=tag, simple_value=value)]
        )
        writer.add_event(
            event_pb2.Event(wall_time=1_700_000_000 + step, step=step, summary=summary)
        )
    writer.close()


def test_scalars_are_read_in_order_with_their_wall_time(tmp_path: Path) -> None:
    write_scalars(tmp_path / "train", "accuracy", [0.5, 0.75, 0.875])
    logs = read_events(tmp_path, ["accuracy"])
    assert [(log.name, float(log.value)) for log in logs] == [
        ("accuracy", 0.5),
        ("accuracy", 0.75),
        ("accuracy", 0.875),
    ]
    assert logs[0].timestamp.startswith("2023-11-14T22:13:20")


def test_a_metric_with_a_folder_matches_only_event_files_in_that_folder(tmp_path: Path) -> None:
    write_scalars(tmp_path / "run" / "train", "accuracy", [0.25])
    write_scalars(tmp_path / "run" / "test", "accuracy", [0.5])
    logs = read_events(tmp_path, ["train/accuracy", "test/accuracy", "loss"])
    assert sorted((log.name, float(log.value)) for log in logs) == [
        ("test/accuracy", 0.5),
        ("train/accuracy", 0.25),
    ]


def test_tag_matching_follows_katib() -> None:
    # the tag starts with the metric's last part; the file's folder ends with its folder part
    assert should_consider("accuracy_1", "accuracy", "/logs/x/events.out")
    assert should_consider("accuracy", "train/accuracy", "/logs/train/events.out")
    assert not should_consider("accuracy", "train/accuracy", "/logs/test/events.out")
    assert not should_consider("loss", "accuracy", "/logs/events.out")


def test_unreadable_files_are_skipped_and_a_missing_folder_gives_nothing(tmp_path: Path) -> None:
    write_scalars(tmp_path / "train", "accuracy", [0.5])
    (tmp_path / "train" / "junk").write_bytes(b"\x00not an event file\xff")
    assert [float(log.value) for log in read_events(tmp_path, ["accuracy"])] == [0.5]
    assert read_events(tmp_path / "absent", ["accuracy"]) == []
