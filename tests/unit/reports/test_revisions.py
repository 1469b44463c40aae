"""Earlier revisions stay reachable (compiler.reports): a report written for another revision,
or another run of the same one, moves the folder's report to revisions/ first; the index links
every revision; a deleted experiment's report stays, marked."""

from __future__ import annotations

import json
from pathlib import Path

from compiler.model.katib import AlgorithmSpec, ExperimentStatus, ObjectiveSpec
from compiler.model.results import Deleted, ObjectRef, Results, Source
from compiler.reports import recorded, write_reports


def make(revision: str, uid: str = "u-1", **extra: object) -> Results:
    return Results(
        name="mnist",
        namespace="team",
        backend="cluster",
        source=Source(spec="specs/team/mnist.yaml", experiment_revision=revision),
        object=ObjectRef(name=f"mnist-{revision}", uid=uid),
        objective=ObjectiveSpec(type="maximize", objective_metric_name="accuracy"),
        algorithm=AlgorithmSpec(algorithm_name="random"),
        status=ExperimentStatus(),
        **extra,  # type: ignore[arg-type]
    )


def revision_of(folder: Path) -> str:
    return str(json.loads((folder / "results.json").read_text())["source"]["experimentRevision"])


def test_a_new_revision_moves_the_old_report_to_revisions(tmp_path: Path) -> None:
    folder = tmp_path / "reports/team/mnist"
    write_reports(make("aaaaaaaaaa"), tmp_path)
    assert revision_of(folder) == "aaaaaaaaaa"
    write_reports(make("bbbbbbbbbb", uid="u-2"), tmp_path)
    assert revision_of(folder) == "bbbbbbbbbb"
    old = folder / "revisions/aaaaaaaaaa"
    assert revision_of(old) == "aaaaaaaaaa"
    assert {p.name for p in old.iterdir()} == {p.name for p in folder.iterdir() if p.is_file()}
    # its links were written for its own place (the spec is one level further up)
    assert "](../../../../../specs/team/mnist.yaml)" in (old / "README.md").read_text()
    index = (tmp_path / "reports/index.md").read_text()
    assert "[`aaaaaaaaaa`](team/mnist/revisions/aaaaaaaaaa/README.md)" in index
    assert [r.folder for r in recorded(tmp_path)] == [
        "reports/team/mnist",
        "reports/team/mnist/revisions/aaaaaaaaaa",
    ]


def test_a_second_run_of_the_same_revision_is_kept_apart(tmp_path: Path) -> None:
    write_reports(make("aaaaaaaaaa", uid="u-1"), tmp_path)
    write_reports(make("bbbbbbbbbb", uid="u-2"), tmp_path)
    write_reports(make("aaaaaaaaaa", uid="u-3"), tmp_path)  # a revert: revision a runs again
    revisions = tmp_path / "reports/team/mnist/revisions"
    assert sorted(p.name for p in revisions.iterdir()) == ["aaaaaaaaaa", "bbbbbbbbbb"]
    write_reports(make("cccccccccc", uid="u-4"), tmp_path)
    assert sorted(p.name for p in revisions.iterdir()) == [
        "aaaaaaaaaa",
        "aaaaaaaaaa-u-3",
        "bbbbbbbbbb",
    ]


def test_current_none_writes_wherever_the_run_is(tmp_path: Path) -> None:
    write_reports(make("aaaaaaaaaa"), tmp_path)
    write_reports(make("bbbbbbbbbb", uid="u-2"), tmp_path)
    gone = make("aaaaaaaaaa", deleted=Deleted(reason="Replaced", replaced_by="bbbbbbbbbb"))
    write_reports(gone, tmp_path, current=None)
    folder = tmp_path / "reports/team/mnist"
    assert revision_of(folder) == "bbbbbbbbbb"
    readme = (folder / "revisions/aaaaaaaaaa/README.md").read_text()
    assert "> **Deleted from the cluster** (Replaced: replaced by revision `bbbbbbbbbb`)" in readme
    assert "(deleted: Replaced)" not in (tmp_path / "reports/index.md").read_text()  # current lives


def test_a_local_run_of_a_new_revision_archives_too(tmp_path: Path) -> None:
    local = make("aaaaaaaaaa", uid="").model_copy(update={"backend": "local"})
    write_reports(local, tmp_path)
    write_reports(
        local.model_copy(update={"source": Source(experiment_revision="bbbbbbbbbb")}), tmp_path
    )
    assert (tmp_path / "reports/team/mnist/revisions/aaaaaaaaaa/results.json").exists()
