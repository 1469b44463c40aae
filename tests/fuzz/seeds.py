"""The inputs the fuzzer starts from: Katib's examples (from ../shared, never copied), the
repository's specs and policies, and the golden cases' specs, katib-config and ConfigMap.

Each seed has a kind, which says what the input is and so which commands take it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
EXAMPLES = SHARED / "katib" / "examples"

MANIFEST = "manifest"  # a Katib Experiment manifest (admit, import)
SPEC = "spec"  # a spec under specs/<namespace>/ (validate, check, compile, render-trial, run)
POLICY = "policy"  # a file of policies/ (check, compile, policy test)
KATIB_CONFIG = "katib-config"  # --katib-config
CONFIGMAP = "configmap"  # --configmap


@dataclass(frozen=True)
class Seed:
    kind: str
    name: str  # where it came from, for reports
    text: str
    rel: str  # its place in a workspace: specs/<ns>/x.yaml, policies/..., or a file name

    @property
    def python(self) -> bool:
        return self.rel.endswith(".py")


def katib_examples() -> list[Seed]:
    """Katib's 33 examples; empty when ../shared is absent."""
    if not EXAMPLES.is_dir():
        return []
    return [
        Seed(MANIFEST, f"katib:{p.relative_to(EXAMPLES)}", p.read_text("utf-8"), p.name)
        for p in sorted(EXAMPLES.rglob("*.yaml"))
    ]


def repository_specs() -> list[Seed]:
    out = []
    for base in (ROOT / "specs", *sorted((ROOT / "tests" / "golden").glob("*/specs"))):
        for p in sorted(base.rglob("*")):
            if p.suffix in (".yaml", ".py") and p.is_file():
                rel = "specs/" + p.relative_to(base).as_posix()
                out.append(Seed(SPEC, str(p.relative_to(ROOT)), p.read_text("utf-8"), rel))
    return out


def imported_specs() -> list[Seed]:
    """Katib's examples as specs (what `import` writes): the spec forms the repository's own
    specs do not use."""
    from compiler.admission import default_config
    from compiler.imports import import_experiment, yaml_text
    from compiler.load.files import load_file

    out = []
    for seed in katib_examples():
        docs = load_file(EXAMPLES / seed.name.removeprefix("katib:"))
        found = [d for d in docs if isinstance(d.data, dict) and d.data.get("kind") == "Experiment"]
        imported = [import_experiment(d, config=default_config()) for d in found]
        stem = seed.rel.removesuffix(".yaml")
        out.append(
            Seed(SPEC, f"import of {seed.name}", yaml_text(imported), f"specs/kubeflow/{stem}.yaml")
        )
    return out


def manifests_as_specs() -> list[Seed]:
    """A few of Katib's manifests where a spec belongs: a shape the spec checks must refuse."""
    return [
        Seed(SPEC, f"{seed.name} as a spec", seed.text, f"specs/kubeflow/{seed.rel}")
        for seed in katib_examples()[::8]
    ]


def policy_files() -> list[Seed]:
    base = ROOT / "policies"
    return [
        Seed(POLICY, str(p.relative_to(ROOT)), p.read_text("utf-8"), p.relative_to(ROOT).as_posix())
        for p in sorted(base.rglob("*"))
        if p.suffix in (".yaml", ".py") and p.is_file()
    ]


def cluster_inputs() -> list[Seed]:
    golden = ROOT / "tests" / "golden"
    config = golden / "argo-workflow" / "katib-config.yaml"
    configmap = golden / "configmap-source" / "configmap.yaml"
    return [
        Seed(KATIB_CONFIG, str(config.relative_to(ROOT)), config.read_text("utf-8"), "kc.yaml"),
        Seed(CONFIGMAP, str(configmap.relative_to(ROOT)), configmap.read_text("utf-8"), "cm.yaml"),
    ]


def all_seeds() -> list[Seed]:
    return [
        *katib_examples(),
        *repository_specs(),
        *imported_specs(),
        *manifests_as_specs(),
        *policy_files(),
        *cluster_inputs(),
    ]
