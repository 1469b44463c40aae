"""pbt's checkpoint volume, locally (reference §6.8, §2.2): the trial sees its own folder at
`suggestion_trial_dir`; a child's folder starts as a copy of its parent's; a restarted trial
keeps its folder; the lineage read back from labels and memo."""

from __future__ import annotations

from pathlib import Path

from compiler.admission.katibconfig import default_config
from compiler.execute.pbt_volume import ENV, FOLDER, Volume, lineage_of
from compiler.execute.plan import Plan
from compiler.model.katib import Experiment
from compiler.model.results import PBT_PARENT as PARENT
from compiler.model.results import Lineage
from compiler.normalize import SpecContext
from compiler.pipeline import compile_document
from compiler.yamlsafe import parse_documents

SPEC = """\
name: p
objective: {maximize: acc}
algorithm: {name: pbt, settings: {suggestion_trial_dir: /var/log/katib/checkpoints/,
  n_population: 5, truncation_threshold: 0.2}}
trials: {max: 10, parallel: 2}
resume: FromVolume
parameters:
  lr: {min: 0.1, max: 0.5, step: 0.1}
trial:
  image: busybox
  command: [train, "--lr=${lr}", --checkpoint=/var/log/katib/checkpoints/,
            --out=/var/log/katib/checkpoints-old, --metrics=/var/log/katib/metrics.log]
  env: {CKPT: /var/log/katib/checkpoints/latest}
metrics: {collector: File, path: /var/log/katib/metrics.log}
"""


def volume(tmp_path: Path) -> Volume:
    return Volume("/var/log/katib/checkpoints/", tmp_path / FOLDER)


def test_the_mount_path_becomes_the_trials_folder(tmp_path: Path) -> None:
    v = volume(tmp_path)
    argv, env = v.relocate(
        ["--checkpoint=/var/log/katib/checkpoints/", "/var/log/katib/checkpoints2/x"],
        {"A": "/var/log/katib/checkpoints", "B": "/var/log/katib/checkpoints.bak"},
        "t1",
    )
    folder = str(tmp_path / FOLDER / "t1")
    assert argv == [f"--checkpoint={folder}/", "/var/log/katib/checkpoints2/x"]
    assert env == {"A": folder, "B": "/var/log/katib/checkpoints.bak", ENV: folder}


def test_a_child_starts_from_a_copy_of_its_parents_folder(tmp_path: Path) -> None:
    v = volume(tmp_path)
    assert v.prepare("a", {}) is None
    assert list(v.folder("a").iterdir()) == []  # the first generation starts empty
    (v.folder("a") / "model.ckpt").write_text("step 20")
    (v.folder("a") / "sub").mkdir()
    (v.folder("a") / "sub" / "w").write_text("w")
    (v.folder("a") / "link").symlink_to("/etc/hostname")
    assert v.prepare("b", {PARENT: "a"}) is None
    assert (v.folder("b") / "model.ckpt").read_text() == "step 20"
    assert (v.folder("b") / "sub" / "w").read_text() == "w"
    assert (v.folder("b") / "link").is_symlink()  # copied as a link, never followed
    (v.folder("b") / "model.ckpt").write_text("step 40")
    assert (v.folder("a") / "model.ckpt").read_text() == "step 20"  # a copy, not a share
    assert sorted(p.name for p in (tmp_path / FOLDER).iterdir()) == ["a", "b"]  # no tmp left


def test_a_restarted_trial_keeps_its_folder(tmp_path: Path) -> None:
    v = volume(tmp_path)
    v.prepare("a", {})
    v.prepare("b", {PARENT: "a"})
    (v.folder("b") / "partial").write_text("half an epoch")
    (v.folder("a") / "late").write_text("x")
    v.prepare("b", {PARENT: "a"})
    assert sorted(p.name for p in v.folder("b").iterdir()) == ["partial"]


def test_a_missing_parent_folder_starts_empty_with_a_note(tmp_path: Path) -> None:
    v = volume(tmp_path)
    note = v.prepare("b", {PARENT: "gone"})
    assert note is not None and "gone" in note
    assert v.folder("b").is_dir()


def test_the_plan_rewrites_the_volume_inside_the_collectors_mount(tmp_path: Path) -> None:
    """Katib mounts the checkpoint folder at /var/log/katib/checkpoints/ and the metrics
    emptyDir at /var/log/katib: each path goes to its own local folder."""
    doc = parse_documents(SPEC, "specs/t/p.yaml")[0]
    c = compile_document(doc, SpecContext("specs/t/p.yaml", "t"), default_config())
    assert c.experiment is not None, [d.render() for d in c.diagnostics]
    plan = Plan(c.experiment, None, tmp_path, tmp_path / "state")
    assert plan.volume is not None
    launch = plan.launch("p-1", {"lr": "0.2"})
    folder = tmp_path.resolve() / "state" / FOLDER / "p-1"
    [command] = launch.argv[2:]  # File collector: sh -c "<joined>"
    assert f"--checkpoint={folder}/" in command
    assert f"--out={launch.mount}/checkpoints-old" in command
    assert f"--metrics={launch.mount}/metrics.log" in command
    assert launch.env["CKPT"] == f"{folder}/latest"
    assert launch.env[ENV] == str(folder)


def test_lineage_from_labels_and_memo() -> None:
    labels = {"pbt.suggestion.katib.kubeflow.org/generation": "2", PARENT: "p"}
    memo = {"pbt": {"origin": "exploit", "valuesFrom": "d"}}
    assert lineage_of(labels, memo, "c") == Lineage(
        generation=2, parent="p", origin="exploit", values_from="d", checkpoint="c"
    )
    assert lineage_of({}, memo, "c") is None
    assert lineage_of({"pbt.suggestion.katib.kubeflow.org/generation": "x"}, {}, "c") is None


def test_a_trial_not_told_the_path_gets_a_note(tmp_path: Path) -> None:
    text = SPEC.replace("--checkpoint=/var/log/katib/checkpoints/,", "").replace(
        "CKPT: /var/log/katib/checkpoints/latest", "CKPT: none"
    )
    doc = parse_documents(text, "specs/t/p.yaml")[0]
    c = compile_document(doc, SpecContext("specs/t/p.yaml", "t"), default_config())
    assert c.experiment is not None, [d.render() for d in c.diagnostics]
    notes = Plan(c.experiment, None, tmp_path, tmp_path / "state").notes
    assert any("do not name suggestion_trial_dir" in n and ENV in n for n in notes)
    told = Plan(compiled_experiment(SPEC), None, tmp_path, tmp_path / "state").notes
    assert not any("suggestion_trial_dir" in n for n in told)


def compiled_experiment(text: str) -> Experiment:
    doc = parse_documents(text, "specs/t/p.yaml")[0]
    c = compile_document(doc, SpecContext("specs/t/p.yaml", "t"), default_config())
    assert c.experiment is not None, [d.render() for d in c.diagnostics]
    return c.experiment
