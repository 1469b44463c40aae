"""Hostile specs are caught by the right rule at the right `file:line:col`; clean specs pass."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.policy.helpers import HARDENED, clean_spec, found, repo, run, where


def test_clean_specs_pass(tmp_path: Path) -> None:
    specs = {
        "specs/team-a/job.yaml": clean_spec("job"),
        "specs/team-a/tfjob.yaml": clean_spec("tfjob", trial="  kind: TFJob\n  workers: 2\n"),
        "specs/team-b/pytorch.yaml": clean_spec(
            "pytorch", trial="  kind: PyTorchJob\n  workers: 1\n"
        ),
        "specs/team-b/xgb.yaml": clean_spec("xgb", trial="  kind: XGBoostJob\n  workers: 1\n"),
    }
    report = run(repo(tmp_path, specs))
    assert [i.diagnostic.render() for i in report.items] == []
    assert report.exit_code == 0
    assert len(report.experiments) == 4


def test_privileged_container(tmp_path: Path) -> None:
    hardened = HARDENED.replace(
        "    securityContext:\n      allowPrivilegeEscalation",
        "    securityContext:\n      privileged: true\n      allowPrivilegeEscalation",
    )
    report = run(repo(tmp_path, {"specs/team-a/evil.yaml": clean_spec("evil", hardened=hardened)}))
    (item,) = found(report, "pss-privileged")
    assert where(item) == "specs/team-a/evil.yaml:19:19"
    assert item.diagnostic.code == "POLICY-pss-privileged"
    assert report.exit_code == 1


def test_host_path_volume(tmp_path: Path) -> None:
    trial = "  pod:\n    volumes:\n      - name: node\n        hostPath: {path: /}\n"
    hardened = HARDENED.replace("  pod:\n", "")
    report = run(
        repo(tmp_path, {"specs/team-a/hp.yaml": clean_spec("hp", trial=trial, hardened=hardened)})
    )
    (item,) = found(report, "pss-host-path")
    assert where(item) == "specs/team-a/hp.yaml:15:19"


RAW = """\
name: raw
objective: {maximize: accuracy}
algorithm: random
trials: {max: 20, parallel: 2, failures: 2}
parameters:
  lr: {min: 0.01, max: 0.1}
trial:
  spec:
    apiVersion: batch/v1
    kind: Job
    spec:
      activeDeadlineSeconds: 3600
      template:
        spec:
          restartPolicy: Never
          hostNetwork: true
          securityContext:
            {runAsNonRoot: true, runAsUser: 1000, seccompProfile: {type: RuntimeDefault}}
          volumes:
            - name: host
              hostPath: {path: /var/run/docker.sock}
          containers:
            - name: training-container
              image: quay.io/unknown/miner:2.0
              command: [python3, /opt/train.py, "--lr=${lr}"]
              resources: {requests: {cpu: 1, memory: 1Gi}}
              securityContext:
                privileged: true
                allowPrivilegeEscalation: false
                capabilities: {drop: [ALL]}
"""


@pytest.mark.parametrize(
    ("rule", "location"),
    [
        ("pss-host-namespaces", "specs/team-a/raw.yaml:16:24"),
        ("pss-host-path", "specs/team-a/raw.yaml:21:25"),
        ("images-registry", "specs/team-a/raw.yaml:24:22"),
        ("resources-limits", "specs/team-a/raw.yaml:26:26"),
        ("pss-privileged", "specs/team-a/raw.yaml:28:29"),
    ],
)
def test_raw_trial_spec_exact_lines(tmp_path: Path, rule: str, location: str) -> None:
    report = run(repo(tmp_path, {"specs/team-a/raw.yaml": RAW}))
    assert [where(i) for i in found(report, rule)] == [location]


def test_unknown_registry(tmp_path: Path) -> None:
    text = clean_spec("ext").replace(
        "registry.example.com/ml/train:1.2.0", "evil.example.org/ml/train:1.2.0"
    )
    report = run(repo(tmp_path, {"specs/team-a/ext.yaml": text}))
    (item,) = found(report, "images-registry")
    assert where(item) == "specs/team-a/ext.yaml:8:10"
    assert "evil.example.org" in item.diagnostic.message


def test_no_limits(tmp_path: Path) -> None:
    text = clean_spec("nolimits").replace("  resources: {cpu: 2, memory: 4Gi}\n", "")
    report = run(repo(tmp_path, {"specs/team-a/nolimits.yaml": text}))
    assert [where(i) for i in found(report, "resources-limits")] == [
        "specs/team-a/nolimits.yaml:8:3"
    ]
    assert [where(i) for i in found(report, "resources-requests")] == [
        "specs/team-a/nolimits.yaml:8:3"
    ]


def test_gpu_hungry_budget(tmp_path: Path) -> None:
    text = (
        clean_spec("hungry")
        .replace("{max: 20, parallel: 2, failures: 2}", "{max: 40, parallel: 2, failures: 2}")
        .replace("{cpu: 2, memory: 4Gi}", "{cpu: 200m, memory: 8Gi, gpu: 4}")
        .replace("deadline: 3600", "deadline: 36000")
    )
    report = run(repo(tmp_path, {"specs/team-a/hungry.yaml": text}))
    items = found(report, "budget-experiment-cost")
    assert [where(i) for i in items] == ["specs/team-a/hungry.yaml:4:15"]
    assert "1,600.0 GPU-hours" in items[0].diagnostic.message
    assert [where(i) for i in found(report, "budget-namespace-cost")] == [
        "specs/team-a/hungry.yaml:4:15"
    ]


def test_gpu_cap_per_trial(tmp_path: Path) -> None:
    text = clean_spec("wide", trial="  kind: TFJob\n  workers: 3\n").replace(
        "{cpu: 2, memory: 4Gi}", "{cpu: 1, memory: 4Gi, gpu: 2}"
    )
    report = run(repo(tmp_path, {"specs/team-b/wide.yaml": text}))
    (item,) = found(report, "resources-gpu-cap")
    assert where(item) == "specs/team-b/wide.yaml:10:14"
    assert "6 GPUs" in item.diagnostic.message


def test_team_writing_into_another_teams_namespace(tmp_path: Path) -> None:
    text = clean_spec("intruder", head="namespace: team-b\n")
    report = run(repo(tmp_path, {"specs/team-a/intruder.yaml": text}))
    (item,) = found(report, "tenancy-namespace")
    assert where(item) == "specs/team-a/intruder.yaml:2:12"
    assert "team 'team-a' may not target namespace 'team-b'" in item.diagnostic.message


def test_pip_install_and_literal_secret(tmp_path: Path) -> None:
    text = clean_spec(
        "sloppy", trial="  env: {HF_TOKEN: hf_abcdefghijklmnopqrstuvwxyz0123456789}\n"
    ).replace(
        '[python3, /opt/train.py, "--lr=${lr}"]',
        '[sh, -c, "pip install torch && python3 /opt/train.py --lr=${lr}"]',
    )
    report = run(repo(tmp_path, {"specs/team-a/sloppy.yaml": text}))
    assert [where(i) for i in found(report, "runtime-pip-install")] == [
        "specs/team-a/sloppy.yaml:9:21"
    ]
    (secret,) = found(report, "runtime-secret-env")
    assert where(secret) == "specs/team-a/sloppy.yaml:12:19"
    assert "hf_abc" not in secret.diagnostic.message  # the secret is not repeated


def test_latest_and_untagged_images(tmp_path: Path) -> None:
    specs = {
        "specs/team-a/latest.yaml": clean_spec("latest").replace(":1.2.0", ":latest"),
        "specs/team-a/untagged.yaml": clean_spec("untagged").replace(":1.2.0", ""),
    }
    report = run(repo(tmp_path, specs))
    assert sorted(where(i) for i in found(report, "images-tag")) == [
        "specs/team-a/latest.yaml:8:10",
        "specs/team-a/untagged.yaml:8:10",
    ]
