"""A local run that cannot work says so (issue 11, item 8), on real `katib-gitops run`
processes: a warning before the first trial when the trial's command names a file this
machine lacks, and each failed trial's last log lines in the output and in the report."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from .conftest import Repo, spec

MISSING = """name: exp
objective: {maximize: accuracy}
algorithm: {name: random, settings: {random_state: 3}}
trials: {max: 3, parallel: 1, failures: 2}
parameters:
  lr: {min: 0.01, max: 0.03}
trial:
  image: docker.io/kubeflowkatib/mxnet-mnist:v0.19.0
  command: [python3, /opt/mxnet-mnist/mnist.py, --batch-size=64, "--lr=${lr}"]
"""


def run(repo: Repo, path: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "compiler", "run", path, "--root", str(repo.root), "--plain"],
        cwd=repo.root,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **env},
        check=False,
    )


def test_a_missing_script_is_named_before_the_first_trial_with_its_fix(repo: Repo) -> None:
    out = run(repo, repo.spec(MISSING))
    assert out.returncode == 3, out.stderr  # the experiment Failed: max failed trials
    lines = out.stdout.splitlines()
    first_trial = next(i for i, line in enumerate(lines) if line.startswith("started "))
    warning = lines[:first_trial]
    assert warning[0] == (
        "warning: every trial will fail here: the trial's command names a file this machine lacks:"
    )
    assert "  /opt/mxnet-mnist/mnist.py" in warning
    assert "    local:" in warning
    assert '      command: [python3, path/to/mnist.py, --batch-size=64, "--lr=${lr}"]' in warning
    assert "      workdir: ." in warning
    # the failed trial's own words, in the terminal, once; the next trial refers to them
    reason = "python3: can't open file '/opt/mxnet-mnist/mnist.py': [Errno 2] No such file"
    assert sum(line.startswith(f"  | {reason}") for line in lines) == 1
    assert any(line.startswith("  its log ends as exp-") for line in lines)

    r = repo.results()
    assert all(t["logTail"][0].startswith(reason) for t in r["trials"])
    assert any("`/opt/mxnet-mnist/mnist.py`" in n for n in r["notes"])
    readme = (repo.root / "reports/demo/exp/README.md").read_text()
    assert "### How the failed trials' logs end" in readme
    assert f"```text\n{reason}" in readme
    first = r["trials"][0]
    assert f"`{first['name']}` (Failed): the last 1 line of `{first['log']}`" in readme


def test_tails_are_fenced_and_keep_secrets_out(repo: Repo) -> None:
    trial = "echo token=$MY_API_TOKEN; echo '```'; echo '| a | b |'; exit 1"
    out = run(repo, repo.spec(spec(trial, max_trials=1, parallel=1)), MY_API_TOKEN="s3cr3t-vAlue")
    assert out.returncode == 0, out.stderr  # maxTrialCount reached, none succeeded
    assert "warning:" not in out.stdout  # sh -c with echo and awk: nothing to open
    assert "  | token=***" in out.stdout and "s3cr3t-vAlue" not in out.stdout
    readme = (repo.root / "reports/demo/exp/README.md").read_text()
    assert "````text\ntoken=***\n```\n| a | b |\n````" in readme
    assert "s3cr3t-vAlue" not in readme
    assert "s3cr3t-vAlue" not in (repo.root / "reports/demo/exp/results.json").read_text()


def test_a_local_override_that_runs_gets_no_warning(repo: Repo) -> None:
    (repo.root / "train.py").write_text("import sys\nprint('loss=' + sys.argv[1].split('=')[1])\n")
    text = spec("", max_trials=1, parallel=1).replace(
        '  command: [sh, -c, "X=${x}; "]\n',
        '  command: [python3, /workspace/train.py, "--x=${x}"]\n'
        'local: {command: [python3, train.py, "--x=${x}"], workdir: .}\n',
    )
    assert "local:" in text
    out = run(repo, repo.spec(text))
    assert out.returncode == 0, out.stdout + out.stderr
    assert "warning:" not in out.stdout
    r = json.loads((repo.root / "reports/demo/exp/results.json").read_text())
    assert r["notes"] == [] and r["status"]["trialsSucceeded"] == 1
