"""The compile cache (`.state/compile-cache/`, `compiler.compile_cache`) with real files: a warm
compile gives what a cold one gives, byte for byte and diagnostic for diagnostic; anything
compile reads that changes is a miss; a damaged entry or an unwritable folder only costs time.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from compiler.cli import main
from compiler.commands.compile import CompileRun, compile_specs, compile_to
from compiler.compile_cache import FOLDER

MAIN = Path(__file__).resolve().parents[2]
GOLDEN = MAIN / "tests" / "golden"
PACKAGE = MAIN / "compiler"


def _repo(tmp_path: Path) -> Path:
    """The repository's own specs and policies, in a folder of their own."""
    root = tmp_path / "repo"
    shutil.copytree(MAIN / "specs", root / "specs")
    shutil.copytree(
        MAIN / "policies", root / "policies", ignore=shutil.ignore_patterns("__pycache__")
    )
    return root


def _golden(tmp_path: Path, name: str) -> Path:
    root = tmp_path / name
    shutil.copytree(GOLDEN / name, root, ignore=shutil.ignore_patterns("expected"))
    return root


def _entries(root: Path) -> list[Path]:
    folder = root / FOLDER
    return sorted(folder.glob("*.entry")) if folder.is_dir() else []


def _generated(root: Path) -> dict[str, bytes]:
    out = root / "generated"
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}


def _diagnostics(run: CompileRun) -> list[str]:
    """Each diagnostic in full: file:line:col, code, message, field, hint."""
    return [d.render() for d in run.diagnostics]


def _experiments(run: CompileRun) -> list[tuple[object, ...]]:
    """What each compiled experiment says (`metadata` promises the name and namespace only)."""
    return [
        (
            c.source,
            c.index,
            c.name,
            c.revision,
            c.ok,
            c.has_manifest,
            c.manifest,
            c.rendered,
            {k: v for k, v in c.metadata.items() if k in ("name", "namespace")},
        )
        for c in run.compiled
    ]


def _compile(root: Path, *, cache: bool = True, **kwargs: object) -> CompileRun:
    run = compile_specs(root, cache=cache, **kwargs)  # type: ignore[arg-type]
    compile_to(run, root / "generated", check=False)
    return run


def test_a_warm_compile_of_the_repository_gives_the_same_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _repo(tmp_path)
    monkeypatch.chdir(root)
    cold = _compile(root, cache=False)
    cold_files = _generated(root)
    assert cold_files and not cold.has_errors
    shutil.rmtree(root / "generated")

    first = _compile(root)  # fills the cache
    assert first.cached == 0
    yaml_specs = list((root / "specs").rglob("*.yaml"))
    assert len(_entries(root)) == len(yaml_specs)  # one per YAML spec; Python specs never
    assert _generated(root) == cold_files
    shutil.rmtree(root / "generated")

    warm = _compile(root)
    assert warm.cached == len(yaml_specs)
    assert _generated(root) == cold_files
    assert _diagnostics(warm) == _diagnostics(cold)
    assert _experiments(warm) == _experiments(cold)
    for w, c in zip(warm.compiled, cold.compiled, strict=True):
        assert w.experiment == c.experiment
        assert w.spec == c.spec
        assert (w.located is None) == (c.located is None)
        if w.located is not None and c.located is not None:
            assert w.located.data == c.located.data
            assert w.located.values == c.located.values


GOLDEN_CASES = sorted(p.name for p in GOLDEN.iterdir() if (p / "specs").is_dir())


@pytest.mark.parametrize("name", GOLDEN_CASES)
def test_a_warm_compile_gives_the_same_located_diagnostics(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _golden(tmp_path, name)
    monkeypatch.chdir(root)
    config = "katib-config.yaml" if (root / "katib-config.yaml").exists() else None
    maps = ["configmap.yaml"] if (root / "configmap.yaml").exists() else []
    cold = compile_specs(root, katib_config=config, configmaps=maps)
    compile_specs(root, katib_config=config, configmaps=maps, cache=True)
    warm = compile_specs(root, katib_config=config, configmaps=maps, cache=True)
    assert warm.cached > 0 or not _entries(root)
    assert _diagnostics(warm) == _diagnostics(cold)
    assert all(":" in str(d.where) for d in warm.diagnostics if d.where is not None)
    assert _experiments(warm) == _experiments(cold)


def _spec(root: Path) -> Path:
    return root / "specs" / "vision" / "resnet-tpe.yaml"


def test_a_changed_spec_byte_is_a_miss(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    _compile(root)
    before = len(_entries(root))
    spec = _spec(root)
    spec.write_bytes(spec.read_bytes() + b"\n")  # one byte, and the same experiment
    run = _compile(root)
    assert run.cached == before - 1
    assert len(_entries(root)) == before + 1


def test_a_folder_of_hits_and_misses_gives_the_cold_bytes(tmp_path: Path) -> None:
    """A kustomization joined from the patches of hits and of a fresh compile is the one a
    cold compile dumps whole."""
    root = _repo(tmp_path)
    folder = root / "specs" / "vision"
    for i in range(3):
        text = _spec(root).read_text("utf-8").replace("resnet-tpe", f"resnet-tpe-{i}")
        (folder / f"resnet-tpe-{i}.yaml").write_text(text, "utf-8")
    _compile(root)
    spec = folder / "resnet-tpe-1.yaml"
    spec.write_text(spec.read_text("utf-8").replace("resnet-tpe-1", "resnet-tpe-one"), "utf-8")
    warm = _compile(root)
    assert warm.cached == len(list((root / "specs").rglob("*.yaml"))) - 1
    files = _generated(root)
    shutil.rmtree(root / "generated")
    _compile(root, cache=False)
    assert _generated(root) == files
    assert b"resnet-tpe-one" in files["vision/kustomization.yaml"]


def test_a_changed_cluster_katib_config_is_a_miss(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    _compile(root)
    before = len(_entries(root))
    cluster = root / "policies" / "cluster.yaml"
    text = cluster.read_text("utf-8")
    changed = text.replace("suggestion-hyperopt:v0.19.0", "suggestion-hyperopt:v0.19.1", 1)
    assert changed != text
    cluster.write_text(changed, "utf-8")
    run = _compile(root)
    assert run.cached == 0
    assert len(_entries(root)) == 2 * before


def test_a_katib_config_flag_is_a_miss(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    _compile(root)
    before = len(_entries(root))
    shutil.copy(GOLDEN / "argo-workflow" / "katib-config.yaml", root / "katib-config.yaml")
    run = compile_specs(root, katib_config="katib-config.yaml", cache=True)
    assert run.katib is not None and "katib-config.yaml" in run.katib.source
    assert run.cached == 0
    assert len(_entries(root)) == 2 * before
    again = compile_specs(root, katib_config="katib-config.yaml", cache=True)
    assert again.cached == before
    assert _diagnostics(again) == _diagnostics(run)


def test_a_changed_configmap_is_a_miss(tmp_path: Path) -> None:
    root = _golden(tmp_path, "configmap-source")
    first = compile_specs(root, configmaps=["configmap.yaml"], cache=True)
    again = compile_specs(root, configmaps=["configmap.yaml"], cache=True)
    assert again.cached == 1
    cm = root / "configmap.yaml"
    cm.write_text(cm.read_text("utf-8").replace("train:1.0", "train:1.1"), "utf-8")
    changed = compile_specs(root, configmaps=["configmap.yaml"], cache=True)
    assert changed.cached == 0
    assert len(_entries(root)) == 2
    assert [c.revision for c in changed.compiled] == [c.revision for c in first.compiled]


def test_a_changed_compiler_file_is_a_miss(tmp_path: Path) -> None:
    """Another compiler (here a copy of the package with one file edited) never reads what
    this one wrote."""
    copy = tmp_path / "pkg"
    shutil.copytree(PACKAGE, copy / "compiler", ignore=shutil.ignore_patterns("__pycache__"))
    root = _repo(tmp_path)
    script = (
        "import compiler, sys\n"
        "from pathlib import Path\n"
        "from compiler.commands.compile import compile_specs\n"
        f"assert compiler.__file__.startswith({str(copy)!r}), compiler.__file__\n"
        "print(compile_specs(Path(sys.argv[1]), cache=True).cached)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(copy)}

    def cached() -> int:
        done = subprocess.run(
            [sys.executable, "-c", script, str(root)],
            cwd=tmp_path,  # not the checkout, whose compiler/ `-c` would import first
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        return int(done.stdout.split()[-1])

    assert cached() == 0
    n = len(_entries(root))
    assert cached() == n
    values = copy / "compiler" / "values.py"
    values.write_text(values.read_text("utf-8") + "\n# edited\n", "utf-8")
    assert cached() == 0
    assert len(_entries(root)) == n  # the other compiler's entries went: none would be read
    assert cached() == n


def _damage(entry: Path, how: str) -> None:
    raw = entry.read_bytes()
    if how == "truncated":
        entry.write_bytes(raw[: len(raw) // 2])
    elif how == "flipped":
        i = len(raw) - 10
        entry.write_bytes(raw[:i] + bytes([raw[i] ^ 0x01]) + raw[i + 1 :])
    elif how == "empty":
        entry.write_bytes(b"")
    elif how == "not-json":  # a consistent check line over a body that is not an entry
        body = b"{not json\n"
        entry.write_bytes(f"{len(body)}:{zlib.crc32(body):08x}".encode() + b"\n" + body)
    else:  # a consistent check line over an entry whose references point past its end
        _, _, body = raw.partition(b"\n")
        head, _, payload = body.partition(b"\n")
        body = head + b"\n" + payload[:10]
        entry.write_bytes(f"{len(body)}:{zlib.crc32(body):08x}".encode() + b"\n" + body)


@pytest.mark.parametrize("how", ["truncated", "flipped", "empty", "not-json", "short-payload"])
def test_a_damaged_entry_is_a_miss(how: str, tmp_path: Path) -> None:
    root = _repo(tmp_path)
    cold = _compile(root)
    files = _generated(root)
    entries = _entries(root)
    for entry in entries:
        _damage(entry, how)
    shutil.rmtree(root / "generated")
    run = _compile(root)
    assert run.cached == 0
    assert _generated(root) == files
    assert _diagnostics(run) == _diagnostics(cold)
    assert _experiments(run) == _experiments(cold)
    again = _compile(root)  # the damaged entries were written anew
    assert again.cached == len(entries)


ODD_VALUES = """\
name: odd-values
objective: {maximize: accuracy}
algorithm: random
trials: {max: 3}
parameters:
  lr: {min: 0.01, max: 0.03}
trial:
  spec:
    apiVersion: batch/v1
    kind: Job
    metadata: {annotations: {when: 2024-01-02}}
    spec:
      activeDeadlineSeconds: .nan
      template:
        spec:
          restartPolicy: Never
          containers:
          - name: training-container
            image: registry.example.com/train:1.0
            command: [python, train.py, "--lr=${lr}"]
"""


def test_a_spec_the_loader_rejects_is_compiled_each_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A value JSON cannot hold (a NaN): the loader's located error, every time, and no entry."""
    root = tmp_path / "repo"
    (root / "specs" / "team").mkdir(parents=True)
    (root / "specs" / "team" / "odd.yaml").write_text(ODD_VALUES, "utf-8")
    monkeypatch.chdir(root)
    cold = compile_specs(root)
    first = compile_specs(root, cache=True)
    warm = compile_specs(root, cache=True)
    assert warm.cached == 0
    assert not _entries(root)
    assert _diagnostics(first) == _diagnostics(warm) == _diagnostics(cold)
    assert _experiments(warm) == _experiments(cold)
    assert [d.code for d in warm.diagnostics] == ["YAML-NONFINITE"]
    assert str(warm.diagnostics[0].where) == "specs/team/odd.yaml:13:30"


def test_python_specs_are_never_cached(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    python_specs = sorted((root / "specs").rglob("*.py"))
    assert python_specs
    _compile(root)
    run = _compile(root)
    assert run.cached == len(list((root / "specs").rglob("*.yaml")))
    py_sources = {p.relative_to(root).as_posix() for p in python_specs}
    assert py_sources <= {c.source for c in run.compiled}
    assert len(_entries(root)) == run.cached


def _forged(root: Path) -> None:
    """Every entry rewritten, consistently, to say something a compile would never say."""
    for entry in _entries(root):
        raw = entry.read_bytes()
        _, _, body = raw.partition(b"\n")
        body = body.replace(b"tpe", b"TPE")
        entry.write_bytes(f"{len(body)}:{zlib.crc32(body):08x}".encode() + b"\n" + body)


def test_no_cache_reads_nothing_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _repo(tmp_path)
    monkeypatch.chdir(root)
    assert main(["compile", "--no-cache"]) == 0
    assert not (root / ".state" / "compile-cache").exists()
    files = _generated(root)
    assert main(["compile"]) == 0  # fills the cache
    assert _entries(root)
    _forged(root)
    assert main(["compile", "--check"]) != 0  # the forged entries are read without the flag
    assert main(["compile", "--check", "--no-cache"]) == 0
    assert main(["compile", "--no-cache"]) == 0
    assert _generated(root) == files
    capsys.readouterr()


def test_an_unwritable_state_folder_only_costs_time(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    cold = _compile(root, cache=False)
    files = _generated(root)
    shutil.rmtree(root / ".state", ignore_errors=True)  # the policy pass's cache lives there too
    (root / ".state").write_text("a file where the folder would be\n")
    shutil.rmtree(root / "generated")
    for _ in range(2):
        run = _compile(root)
        assert run.cached == 0
        assert _generated(root) == files
        assert _diagnostics(run) == _diagnostics(cold)
    assert (root / ".state").read_text() == "a file where the folder would be\n"


def test_the_state_folder_is_git_ignored() -> None:
    if not (MAIN / ".git").exists():
        pytest.skip("not a git checkout")
    done = subprocess.run(
        ["git", "check-ignore", "-q", ".state/compile-cache/x.entry"], cwd=MAIN, check=False
    )
    assert done.returncode == 0


def test_entries_that_came_with_the_repository_are_never_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A pull request that commits forged .state/compile-cache/ entries: CI's secret
    (compiler.cachesalt) is not the author's, so `compile --check` compiles them again."""
    from compiler.cachesalt import salt

    root = _repo(tmp_path)
    monkeypatch.chdir(root)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "author-cache"))
    salt.cache_clear()
    try:
        assert main(["compile"]) == 0
        _forged(root)
        assert main(["compile", "--check"]) != 0  # the author's own secret reads them
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "ci-cache"))
        salt.cache_clear()
        assert main(["compile", "--check"]) == 0
    finally:
        salt.cache_clear()
    capsys.readouterr()
