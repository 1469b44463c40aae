"""Reports from a real run: byte-stable, overridable templates, `--commit` only on change, and
`validate` stays light (no optuna, matplotlib or git)."""

from __future__ import annotations

import subprocess
import sys

from compiler.model.results import Results
from compiler.reports import render_report

from .conftest import QUADRATIC, Repo, spec


def test_commit_once_and_only_when_changed(repo: Repo) -> None:
    path = repo.spec(spec(QUADRATIC, max_trials=2))
    repo.git("add", path)
    repo.git("commit", "-q", "-m", "spec")
    (repo.root / "unrelated.txt").write_text("staged, not ours\n")
    repo.git("add", "unrelated.txt")
    assert repo.run(path, "--commit") == 0
    log = repo.git("log", "--format=%s").splitlines()
    assert len(log) == 3 and log[0].startswith(
        "report: demo/exp Succeeded (ExperimentMaxTrialsReached), best loss = "
    )
    files = repo.git("show", "--name-only", "--format=", "HEAD").split()
    assert all(f.startswith("reports/") for f in files) and "reports/demo/exp/README.md" in files
    assert "unrelated.txt" in repo.git("diff", "--cached", "--name-only")  # left staged
    assert repo.run(path, "--commit") == 0
    assert len(repo.git("log", "--format=%s").splitlines()) == 3  # nothing changed: no commit


def test_reports_are_byte_stable_and_readable(repo: Repo) -> None:
    path = repo.spec(spec(QUADRATIC, max_trials=3))
    repo.git("add", path)
    repo.git("commit", "-q", "-m", "spec")
    assert repo.run(path) == 0
    folder = repo.root / "reports/demo/exp"
    results = Results.from_json((folder / "results.json").read_text())
    again = render_report(results, repo.root)
    for name, data in again.items():
        assert (folder / name).read_bytes() == data, name
    readme = (folder / "README.md").read_text()
    assert "```mermaid\n%%{init" in readme and "xychart-beta" in readme
    assert f"at `{repo.git('log', '-1', '--format=%h', '--', path).strip()}`" in readme
    index = (repo.root / "reports/index.md").read_text()
    assert "[demo/exp](demo/exp/README.md) | Succeeded" in index
    csv = (folder / "trials.csv").read_text().splitlines()
    assert csv[0].startswith("index,name,state,reason,objective,x,loss:min")
    assert len(csv) == 4
    for svg in ("convergence.svg", "parallel.svg", "parameters.svg", "metrics.svg"):
        text = (folder / svg).read_text()
        assert text.startswith("<?xml") and "<dc:date>" not in text


def test_repository_template_overrides_and_template_errors(repo: Repo) -> None:
    path = repo.spec(spec(QUADRATIC, max_trials=2))
    templates = repo.root / "templates/reports"
    templates.mkdir(parents=True)
    (templates / "README.md.j2").write_text("# {{ r.name }}: {{ r.outcome }}\n")
    assert repo.run(path) == 0
    assert (repo.root / "reports/demo/exp/README.md").read_text() == "# exp: Succeeded\n"
    (templates / "README.md.j2").write_text("{% for x in %}\n")
    assert repo.run(path) == 2
    (templates / "README.md.j2").write_text("{{ r.no_such_field }}\n")
    assert repo.run(path) == 2


def test_validate_does_not_import_the_heavy_rooms(repo: Repo) -> None:
    path = repo.spec(spec(QUADRATIC, max_trials=2))
    code = (
        "import sys; from compiler.cli import main; "
        f"rc = main(['validate', {path!r}, '--root', {str(repo.root)!r}]); "
        "heavy = [m for m in ('optuna', 'matplotlib', 'git', 'rich', 'skopt') "
        "if m in sys.modules]; "
        "print(rc, heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "0 []"
