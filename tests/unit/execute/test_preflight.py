"""The check before the first trial: files the trial's command names and this machine lacks,
found precisely (real files in a temporary folder), and the `local:` block that would fix it."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from compiler.execute.plan import Launch
from compiler.execute.preflight import MissingFiles, check, named


@pytest.fixture
def cwd(tmp_path: Path) -> Path:
    (tmp_path / "work").mkdir()
    (tmp_path / "work" / "train.py").write_text("print('loss=1')\n")
    (tmp_path / "work" / "run.sh").write_text("echo loss=1\n")
    return tmp_path / "work"


def missing(argv: list[str], cwd: Path) -> list[str]:
    return [m.word for m in named(argv, cwd)]


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        # the case, as the StdOut collector wraps it (Katib joins command and args)
        (
            ["sh", "-c", "python3 /opt/mxnet-mnist/mnist.py --batch-size=64 --lr=0.01"],
            ["/opt/mxnet-mnist/mnist.py"],
        ),
        (["python3", "/opt/mnist.py", "--lr=0.1"], ["/opt/mnist.py"]),
        (["python3", "-u", "-W", "ignore", "/opt/a.py"], ["/opt/a.py"]),
        (["python3.11", "-Wignore", "/opt/a.py"], ["/opt/a.py"]),
        (["python3", "absent.py"], ["absent.py"]),
        (["bash", "-e", "absent.sh"], ["absent.sh"]),
        (["sh", "-c", "cd /no/such/dir && python3 train.py"], ["/no/such/dir"]),
        (
            ["sh", "-c", "export A=1; B=2 exec python3 /opt/b.py > /var/log/x.log 2>&1"],
            ["/opt/b.py"],
        ),
        (["/usr/bin/env", "python3", "/opt/e.py"], ["/opt/e.py"]),
        (["/opt/bin/train", "--epochs=1"], ["/opt/bin/train"]),
        (["sh", "-c", "sh -c 'python3 /opt/nested.py'"], ["/opt/nested.py"]),
        (["sh", "-c", "echo 'a#b'; python3 /opt/c.py"], ["/opt/c.py"]),
    ],
)
def test_named_files_that_are_missing(argv: list[str], expected: list[str], cwd: Path) -> None:
    assert missing(argv, cwd) == expected


@pytest.mark.parametrize(
    "argv",
    [
        ["python3", "train.py", "--lr=0.1"],  # relative, in the working folder
        ["sh", "-c", "python3 train.py --out=/opt/out.py"],  # an option's value is not opened
        ["bash", "run.sh"],
        ["python3", "-m", "torch.distributed.run", "/opt/a.py"],  # a module, not a file
        ["python3", "-c", "open('/opt/a.py')"],
        ["python3", "-", "/opt/a.py"],
        ["python3", "mnist"],  # no script extension: not a path we judge
        ["sh", "-c", "git clone https://x/y.git y && python3 y/train.py"],  # made at run time
        ["sh", "-c", "echo 'print(1)' > made.py; python3 made.py"],  # a redirection makes it
        ["sh", "-c", "python3 $HOME/x.py"],  # unknown before the shell expands it
        ["sh", "-c", "python3 /opt/*.py"],
        ["sh", "-c", "python3 'unbalanced"],  # the shell's own error, not ours
        ["sh", "-c", "awk 'BEGIN{print \"loss=\" 1}'"],
        ["sh", "-c", "if true; then python3 /opt/a.py; fi"],
        ["mpirun", "-np", "2", "python3", "/opt/a.py"],  # a launcher's own argument rules
        ["sh", "-c", "cd / && ls"],
        ["sh", "-s"],
    ],
)
def test_no_warning_where_it_could_be_wrong(argv: list[str], cwd: Path) -> None:
    assert missing(argv, cwd) == []


def test_cd_to_an_existing_folder_moves_relative_paths(cwd: Path) -> None:
    assert missing(["sh", "-c", f"cd {cwd} && python3 train.py"], cwd.parent) == []
    assert missing(["sh", "-c", f"cd {cwd} && python3 nope.py"], cwd.parent) == ["nope.py"]


def launch(argv: list[str], cwd: Path, tmp_path: Path, fresh: bool = False) -> Launch:
    env = {"KATIB_GITOPS_TRIAL_DIR": str(cwd)} if fresh else {}
    return Launch("t", argv, env, cwd, tmp_path / "t.log", tmp_path / "mount", None, 30.0)


def test_the_fix_uses_the_repository_copy_of_an_image_path(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / "examples/demo").mkdir(parents=True)
    (root / "examples/demo/train.py").write_text("")
    command = ["python3", "/workspace/examples/demo/train.py", "--lr=${lr}", "on"]
    w = check(
        launch(
            ["sh", "-c", "python3 /workspace/examples/demo/train.py --lr=0.1 on"], root, tmp_path
        ),
        root,
        None,
        command,
    )
    assert w is not None and not w.local and w.exact
    assert w.command == ("python3", "examples/demo/train.py", "--lr=${lr}", "on")
    # the snippet is YAML that every reader takes as those words (`on` is not a boolean)
    block = yaml.safe_load(w.snippet)
    assert block == {"local": {"command": list(w.command), "workdir": "."}}
    assert w.lines[0].startswith("warning: every trial will fail here")
    assert "    local:" in w.lines and any("examples/demo/train.py" in x for x in w.lines)


def test_the_fix_names_a_placeholder_when_the_repository_lacks_the_file(tmp_path: Path) -> None:
    argv = ["sh", "-c", "python3 /opt/mxnet-mnist/mnist.py --batch-size=64"]
    command = ["python3", "/opt/mxnet-mnist/mnist.py", "--batch-size=64", "--lr=${lr}"]
    w = check(launch(argv, tmp_path, tmp_path), tmp_path, None, command)
    assert w is not None
    assert w.command == ("python3", "path/to/mnist.py", "--batch-size=64", "--lr=${lr}")
    assert yaml.safe_load(w.snippet)["local"]["command"][-1] == "--lr=${lr}"
    assert "`/opt/mxnet-mnist/mnist.py`" in w.note and "\n" not in w.note


def test_relative_paths_at_the_repository_root_need_only_the_workdir(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    trial_dir = tmp_path / "state/trials/t"
    (root).mkdir()
    (root / "train.py").write_text("")
    w = check(
        launch(["python3", "train.py"], trial_dir, tmp_path, fresh=True),
        root,
        None,
        ["python3", "train.py"],
    )
    assert w is not None and w.command is None and w.fresh
    assert yaml.safe_load(w.snippet) == {"local": {"workdir": "."}}
    assert "  train.py (each trial runs in a fresh folder of its own)" in w.lines


def test_a_raw_trial_spec_gets_the_shape_of_the_fix(tmp_path: Path) -> None:
    w = check(launch(["python3", "/opt/x.py"], tmp_path, tmp_path), tmp_path, None, None)
    assert w is not None and not w.exact and w.command == ("path/to/x.py", "...")
    assert any("of this shape" in line for line in w.lines)


def test_a_local_command_that_names_a_missing_file_is_named(tmp_path: Path) -> None:
    w = check(
        launch(["python3", "/opt/x.py"], tmp_path, tmp_path),
        tmp_path,
        ["python3", "/opt/x.py"],
        None,
    )
    assert isinstance(w, MissingFiles) and w.local
    assert "local.command" in w.lines[0] and "local.command" in w.note


def test_nothing_missing_no_warning(tmp_path: Path, cwd: Path) -> None:
    assert check(launch(["python3", "train.py"], cwd, tmp_path), tmp_path, None, None) is None
    # the metrics folder is made when the trial starts
    mount = tmp_path / "mount"
    assert check(launch(["python3", f"{mount}/x.py"], cwd, tmp_path), tmp_path, None, None) is None


@pytest.mark.parametrize(
    "script", ["/" + "x" * 5000 + ".py", "/opt/a\0b.py", "/" + "d/" * 3000 + "x.py"]
)
def test_a_path_that_cannot_be_looked_at_is_no_warning_and_no_traceback(
    script: str, cwd: Path
) -> None:
    assert missing(["python3", script], cwd) == []
    assert missing(["sh", "-c", f"cd {script[:-3]} && python3 x.py"], cwd) == []
