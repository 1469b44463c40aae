"""The differential harness: one case, run through Katib's own webhook code (the Go oracle, in
`--batch` mode) and through our admission, then compared.

A case is plain JSON-able data: the Experiment, optionally the stored object it updates (with
status), trial-template ConfigMaps, a katib-config text and the namespace label. Both sides get
the same data; ours goes through `compiler.admission.admit` on a `Document`, the code path of
`katib-gitops admit -o json`.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from compiler.admission import admit, configmap_templates
from compiler.admission.katibconfig import KatibConfig, config_from_document, default_config
from compiler.model.source import Document
from compiler.yamlsafe import parse_documents

ORACLE_SRC = Path(__file__).resolve().parent / "oracle"
ALLOWLIST = Path(__file__).resolve().parent / "allowlist.yaml"
BAD_REQUEST = "BadRequest"


@dataclass
class Case:
    id: str
    object: Any
    old: Any = None
    configmaps: list[dict[str, Any]] = field(default_factory=list)
    katib_config: str | None = None
    unlabelled_namespace: bool = False

    def batch_line(self) -> str:
        line: dict[str, Any] = {"id": self.id, "object": self.object}
        if self.old is not None:
            line["old"] = self.old
        if self.configmaps:
            line["configmaps"] = self.configmaps
        if self.katib_config is not None:
            line["katibConfig"] = self.katib_config
        if self.unlabelled_namespace:
            line["unlabelledNamespace"] = True
        return json.dumps(line, ensure_ascii=False)

    def reproducer(self) -> str:
        """The case as YAML: what a person pastes into a file to run both sides by hand."""
        parts: dict[str, Any] = {"object": self.object}
        if self.old is not None:
            parts["old"] = self.old
        if self.configmaps:
            parts["configmaps"] = self.configmaps
        if self.katib_config is not None:
            parts["katibConfig"] = self.katib_config
        if self.unlabelled_namespace:
            parts["unlabelledNamespace"] = True
        return yaml.safe_dump(parts, sort_keys=False, allow_unicode=True, width=100)


# --- building the oracle ---------------------------------------------------------------------


def source_hash() -> str:
    """A hash of the oracle's go.mod, go.sum and *.go: the build is redone when they change."""
    digest = hashlib.sha256()
    for path in sorted([*ORACLE_SRC.glob("go.*"), *ORACLE_SRC.glob("*.go")]):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def cache_dir() -> Path:
    base = os.environ.get("KATIB_GITOPS_CACHE") or str(Path.home() / ".cache" / "katib-gitops")
    return Path(base) / "oracle"


def katib_module_dir(go: str) -> Path:
    out = subprocess.run(
        [go, "list", "-m", "-f", "{{.Dir}}", "github.com/kubeflow/katib"],
        cwd=ORACLE_SRC,
        capture_output=True,
        text=True,
        check=True,
        timeout=900,
    )
    return Path(out.stdout.strip())


def build_oracle(go: str) -> Path:
    """Build once per source hash; a finished binary is renamed into place atomically."""
    target = cache_dir() / source_hash() / "oracle"
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    katib_dir = katib_module_dir(go)
    partial = target.with_name(f"oracle.{os.getpid()}.partial")
    subprocess.run(
        [go, "build", "-ldflags", f"-X main.katibDir={katib_dir}", "-o", str(partial), "."],
        cwd=ORACLE_SRC,
        check=True,
        timeout=1800,
    )
    partial.replace(target)
    return target


# --- running the oracle ----------------------------------------------------------------------


class Oracle:
    """One `oracle --batch` process for the whole session: a line in, a line out."""

    def __init__(self, binary: Path) -> None:
        self.proc = subprocess.Popen(
            [str(binary), "--batch"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        self.lock = threading.Lock()
        self.count = 0

    def run(self, case: Case) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        with self.lock:
            self.proc.stdin.write(case.batch_line() + "\n")
            self.proc.stdin.flush()
            line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the oracle exited (status {self.proc.poll()})")
        self.count += 1
        result: dict[str, Any] = json.loads(line)
        return result

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


# --- running ours ----------------------------------------------------------------------------


def katib_config_from_text(text: str) -> KatibConfig:
    """What `admit --katib-config FILE` reads: a ConfigMap or a bare KatibConfig."""
    docs = parse_documents(text, "katib-config")
    config, embedded = config_from_document(docs[0].data if docs else {}, "katib-config")
    if embedded is not None:
        inner = parse_documents(embedded, "katib-config.yaml")
        config, _ = config_from_document(inner[0].data if inner else {}, "katib-config")
    return config


def ours(case: Case) -> dict[str, Any]:
    """Our verdict in the oracle's shape (`errors` as field/type/code)."""
    verdict = admit(
        Document(case.object, "case.yaml"),
        old=Document(case.old, "old.yaml") if case.old is not None else None,
        config=katib_config_from_text(case.katib_config) if case.katib_config else default_config(),
        configmaps=configmap_templates(case.configmaps),
        namespace_labelled=not case.unlabelled_namespace,
    )
    return {
        "allowed": verdict.allowed,
        "errors": [
            {"field": d.field, "type": d.type, "code": d.code, "message": d.message}
            for d in verdict.errors
        ],
        "object": verdict.object,
    }


# --- comparing -------------------------------------------------------------------------------


def _error_keys(errors: list[dict[str, Any]]) -> set[tuple[str, str]]:
    """(field, type); for a request the webhook cannot decode (H-1) only the type counts, since
    Go names the field its own way."""
    return {
        ("", e["type"])
        if e["type"] == BAD_REQUEST and e.get("code") == "KATIB-H1"
        else (e["field"], e["type"])
        for e in errors
    }


def _ordered(result: dict[str, Any]) -> list[tuple[str, str]]:
    return [(e["field"], e["type"]) for e in result["errors"]]


def compare(theirs: dict[str, Any], mine: dict[str, Any]) -> list[str]:
    """Every way the two verdicts differ; empty when they agree."""
    problems: list[str] = []
    if theirs.get("error"):
        return [f"the oracle could not run the case: {theirs['error']}"]
    if theirs.get("notes"):
        problems.append(f"oracle self-check notes: {theirs['notes']}")
    if theirs["allowed"] != mine["allowed"]:
        problems.append(
            f"verdict: Katib allowed={theirs['allowed']}, ours allowed={mine['allowed']}"
        )
    want, got = _error_keys(theirs["errors"]), _error_keys(mine["errors"])
    if want != got:
        problems.append(f"errors: only Katib {sorted(want - got)}; only ours {sorted(got - want)}")
    if theirs["object"] is not None and mine["object"] is not None:
        if not same_json(theirs["object"], mine["object"]):
            problems.append(
                "defaulted object differs:\n" + object_diff(theirs["object"], mine["object"])
            )
    elif (theirs["object"] is None) != (mine["object"] is None) and theirs["allowed"]:
        problems.append("defaulted object: only one side has one")
    return problems


def same_json(a: Any, b: Any) -> bool:
    """Equal as JSON values: maps unordered, lists ordered, 1 == 1.0 (both are the number 1)."""
    return json.loads(json.dumps(a)) == json.loads(json.dumps(b))


def object_diff(a: Any, b: Any, path: str = "") -> str:
    """The first few paths where two JSON values differ."""
    out: list[str] = []
    _diff(a, b, path, out)
    return "\n".join(out[:12])


def _diff(a: Any, b: Any, path: str, out: list[str]) -> None:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            if key not in a:
                out.append(f"  {path}.{key}: only ours: {json.dumps(b[key])[:200]}")
            elif key not in b:
                out.append(f"  {path}.{key}: only Katib: {json.dumps(a[key])[:200]}")
            else:
                _diff(a[key], b[key], f"{path}.{key}", out)
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _diff(x, y, f"{path}[{i}]", out)
    elif not same_json(a, b):
        out.append(f"  {path}: Katib {json.dumps(a)[:200]} / ours {json.dumps(b)[:200]}")


# --- the allow-list --------------------------------------------------------------------------


@dataclass(frozen=True)
class Allowed:
    """An allow-list entry: `katib` is a regex searched in the oracle's result line (compact
    JSON); `path`/`types` match an input whose value at that dotted path has one of those JSON
    types. Every part given must match."""

    reason: str
    reference: str
    katib: re.Pattern[str] | None = None
    path: tuple[str, ...] = ()
    types: tuple[str, ...] = ()

    def matches(self, case: Case, theirs: dict[str, Any]) -> bool:
        if self.katib is not None:
            text = json.dumps(theirs, separators=(",", ":"), ensure_ascii=False)
            if not self.katib.search(text):
                return False
        return not self.path or json_type_at(case.object, self.path) in self.types


def json_type_at(obj: Any, path: tuple[str, ...]) -> str:
    for key in path:
        if not isinstance(obj, dict) or key not in obj:
            return "absent"
        obj = obj[key]
    names = {bool: "bool", str: "string", list: "list", dict: "map", type(None): "null"}
    return names.get(type(obj), "number")


def load_allowlist(path: Path = ALLOWLIST) -> list[Allowed]:
    entries = yaml.safe_load(path.read_text("utf-8")) or []
    return [
        Allowed(
            e["reason"],
            e["reference"],
            re.compile(e["katib"]) if "katib" in e else None,
            tuple(e["path"].split(".")) if "path" in e else (),
            tuple(e.get("types", ())),
        )
        for e in entries
    ]


def allowed_by(allowlist: list[Allowed], case: Case, theirs: dict[str, Any]) -> Allowed | None:
    return next((entry for entry in allowlist if entry.matches(case, theirs)), None)


def report(case: Case, theirs: dict[str, Any], mine: dict[str, Any], problems: list[str]) -> str:
    """A minimal reproducer: the input as YAML and both outputs."""

    def brief(result: dict[str, Any]) -> str:
        shown = {k: result.get(k) for k in ("allowed", "errors", "panic") if result.get(k)}
        shown.setdefault("allowed", result.get("allowed"))
        return json.dumps(shown, indent=1, ensure_ascii=False)

    return (
        f"case {case.id}: Katib and ours disagree\n"
        + "\n".join(problems)
        + f"\n--- input ---\n{case.reproducer()}"
        + f"--- Katib ---\n{brief(theirs)}\n--- ours ---\n{brief(mine)}\n"
    )
