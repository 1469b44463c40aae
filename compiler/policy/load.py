"""The only reader of policies/: the configuration, the cluster profile, the waivers, the
repository's YAML and Python rules, and the policy test cases (also those of the built-in pack).

    policies/config.yaml     rules on/off, severities, parameters    (config.py)
    policies/cluster.yaml    the target cluster                       (cluster.py; or one of
    policies/clusters/*.yaml   several, chosen by name: profiles.py, which reads it for every
                               command, as its katib-config is admission's)
    policies/waivers.yaml    exceptions with owner and expiry         (waivers.py)
    policies/*.yaml          YAML rules: a cerberus schema            (schema_rules.py)
    policies/*.py            Python rules: `@rule` functions           (api.py)
    policies/tests/<case>/   spec.yaml + expected.yaml                (verify.py)

Python rules are repository code, trusted like the compiler: they are imported as they are.
They get the same frozen inputs as every other rule. Problems in these files are diagnostics
located in them; nothing here raises for a bad policy file.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
import traceback
from dataclasses import dataclass, replace
from pathlib import Path

from compiler import __version__
from compiler.errors import InputError, KatibGitopsError
from compiler.load.files import load_file
from compiler.model.diagnostics import Diagnostic
from compiler.model.source import Document, Location, katib_path
from compiler.policy import cluster, config, profiles, waivers
from compiler.policy.api import Rule
from compiler.policy.builtin import RULES
from compiler.policy.cerb import SchemaProblem, validate
from compiler.policy.policyset import PolicySet
from compiler.policy.schema_rules import rule_file_validator, schema_rule
from compiler.policy.waivers import Waiver

SPECIAL = {"config.yaml": "config", "cluster.yaml": "cluster", "waivers.yaml": "waivers"}
BUILTIN_CASES = Path(__file__).parent / "builtin" / "cases"
LOAD = "POLICY-LOAD"


def load_policies(
    folder: Path, shown: str = "policies", cluster_name: str | None = None
) -> PolicySet:
    """Read a policies folder; an absent one gives the built-in pack with its defaults.
    `cluster_name` picks the cluster profile (profiles.py says how)."""
    problems: list[Diagnostic] = []
    docs = {
        key: _document(folder / name, f"{shown}/{name}", problems)
        for name, key in SPECIAL.items()
        if key != "cluster"
    }
    profile_file = _profile_file(folder, shown, cluster_name, problems)
    docs["cluster"] = (
        _document(profile_file.path, profile_file.shown, problems) if profile_file else None
    )
    cfg, p1 = config.config_from_document(docs["config"])
    profile, p2 = cluster.cluster_from_document(docs["cluster"]) if docs["cluster"] else (None, [])
    listed, p3 = waivers.waivers_from_document(docs["waivers"])
    rules = [*RULES, *_repository_rules(folder, shown, problems)]
    problems += [*p1, *p2, *p3, *_duplicates(rules)]
    ids = [r.id for r in rules]
    problems += config.unknown_rules(cfg, ids) + waivers.unknown_rules(listed, ids)
    digest = _digest(folder, profile_file.path if profile_file else None)
    return PolicySet(cfg, profile, tuple(listed), tuple(rules), tuple(problems), digest, shown)


def _profile_file(
    folder: Path, shown: str, name: str | None, problems: list[Diagnostic]
) -> profiles.ProfileFile | None:
    try:
        return profiles.choose_profile(folder, name, shown)
    except KatibGitopsError as exc:  # commands that need the profile have said so already
        problems.append(Diagnostic(code=cluster.CODE, message=str(exc), where=Location(shown)))
        return None


def _document(path: Path, shown: str, problems: list[Diagnostic]) -> Document | None:
    if not path.is_file():
        return None
    try:
        docs = load_file(path, name=shown)
    except InputError as exc:
        problems.append(
            Diagnostic(code=exc.code, message=exc.message, where=exc.where, hint=exc.hint)
        )
        return None
    return docs[0] if docs else None


def _repository_rules(folder: Path, shown: str, problems: list[Diagnostic]) -> list[Rule]:
    out: list[Rule] = []
    for path in sorted(folder.glob("*")) if folder.is_dir() else []:
        name = f"{shown}/{path.name}"
        if path.suffix in (".yaml", ".yml") and path.name not in SPECIAL:
            out += _yaml_rules(path, name, problems)
        elif path.suffix == ".py":
            out += _python_rules(path, name, problems)
    return out


def _yaml_rules(path: Path, shown: str, problems: list[Diagnostic]) -> list[Rule]:
    doc = _document(path, shown, problems)
    if doc is None:
        return []
    errors = validate(rule_file_validator(), doc.data)
    if errors:
        problems += [
            Diagnostic(code=LOAD, message=f"YAML rule: {katib_path(p)}: {m}", where=doc.where(p))
            for p, m in errors
        ]
        return []
    try:
        return [schema_rule(doc.data, shown)]
    except SchemaProblem as exc:
        problems.append(
            Diagnostic(
                code=LOAD, message=f"not a cerberus schema: {exc}", where=doc.where(("schema",))
            )
        )
        return []


def _python_rules(path: Path, shown: str, problems: list[Diagnostic]) -> list[Rule]:
    """Import a rule file (trusted repository code) and take every `Rule` it defines."""
    name = f"katib_gitops_policies.{path.stem.replace('-', '_')}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        problems.append(
            Diagnostic(code=LOAD, message="cannot import this file", where=Location(shown))
        )
        return []
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except (Exception, SystemExit) as exc:  # the file's own failure, reported at its line
        problems.append(_import_problem(path, shown, exc))
        return []
    rules = [v for v in vars(module).values() if isinstance(v, Rule)]
    return [replace(r, origin=shown) for r in rules]


def _import_problem(path: Path, shown: str, exc: BaseException) -> Diagnostic:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if Path(f.filename) == path]
    line = frames[-1].lineno or 0 if frames else getattr(exc, "lineno", 0) or 0
    return Diagnostic(
        code=LOAD,
        message=f"the rule file fails to import: {type(exc).__name__}: {exc}",
        where=Location(shown, line, 1 if line else 0),
    )


def _duplicates(rules: list[Rule]) -> list[Diagnostic]:
    seen: dict[str, Rule] = {}
    out = []
    for r in rules:
        if r.id in seen:
            message = f"rule id {r.id!r} of {r.origin} is also defined by {seen[r.id].origin}"
            out.append(Diagnostic(code=LOAD, message=message, where=Location(r.origin)))
        seen.setdefault(r.id, r)
    return out


def _digest(folder: Path, profile: Path | None) -> str:
    """What decides findings: the built-in pack's code, every policy file but the waivers, and
    the cluster profile in use (which may be one of clusters/)."""
    h = hashlib.sha256(f"{__version__}\n{_package_digest()}\n".encode())
    for path in sorted(folder.glob("*")) if folder.is_dir() else []:
        if (
            path.is_file()
            and path.name not in ("waivers.yaml", profiles.SINGLE)
            and path.suffix in (".yaml", ".yml", ".py")
        ):
            h.update(path.name.encode() + b"\0" + _bytes(path) + b"\0")
    if profile is not None:
        h.update(b"profile\0" + _bytes(profile) + b"\0")
    return h.hexdigest()


def _bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:  # unreadable: its own diagnostic says so
        return b""


_PACKAGE: list[str] = []


def _package_digest() -> str:
    if not _PACKAGE:
        h = hashlib.sha256()
        for path in sorted(Path(__file__).parent.rglob("*.py")):
            h.update(path.read_bytes())
        _PACKAGE.append(h.hexdigest())
    return _PACKAGE[0]


# --- policy test cases -----------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One policy test: a spec, the findings expected for it, and the policies it runs with
    (the folder's, with the case's own config.yaml, cluster.yaml or waivers.yaml if any)."""

    name: str
    folder: str
    specs: tuple[Document, ...]
    expected: Document | None
    policies: PolicySet
    problems: tuple[Diagnostic, ...] = ()


def read_cases(folder: Path, shown: str, base: PolicySet) -> list[Case]:
    """Every case folder under `folder` (a folder with a spec.yaml), sorted by name."""
    if not folder.is_dir():
        return []
    cases = []
    for case_dir in sorted(p.parent for p in folder.rglob("spec.yaml")):
        rel = case_dir.relative_to(folder).as_posix()
        cases.append(_case(case_dir, f"{shown}/{rel}", rel, base))
    return cases


def _case(case_dir: Path, shown: str, name: str, base: PolicySet) -> Case:
    problems: list[Diagnostic] = []
    try:
        specs = tuple(
            d
            for d in load_file(case_dir / "spec.yaml", name=f"{shown}/spec.yaml")
            if d.data is not None
        )
    except InputError as exc:
        specs = ()
        problems.append(Diagnostic(code=exc.code, message=exc.message, where=exc.where))
    expected = _document(case_dir / "expected.yaml", f"{shown}/expected.yaml", problems)
    policies = _overlay(case_dir, shown, base, problems)
    return Case(name, shown, specs, expected, policies, tuple(problems))


def _overlay(case_dir: Path, shown: str, base: PolicySet, problems: list[Diagnostic]) -> PolicySet:
    """The base policies with the case's own config, cluster profile and waivers, if any.
    Cases run without the repository's waivers: a test is about what the rules find."""
    docs = {
        key: _document(case_dir / name, f"{shown}/{name}", problems)
        for name, key in SPECIAL.items()
    }
    cfg, profile = base.config, base.cluster
    listed: tuple[Waiver, ...] = ()
    if docs["config"] is not None:
        cfg, found = config.config_from_document(docs["config"])
        problems += found
    if docs["cluster"] is not None:
        profile, found = cluster.cluster_from_document(docs["cluster"])
        problems += found
    if docs["waivers"] is not None:
        found_waivers, found = waivers.waivers_from_document(docs["waivers"])
        listed = tuple(found_waivers)
        problems += found
    return replace(base, config=cfg, cluster=profile, waivers=listed)


def builtin_cases() -> tuple[PolicySet, list[Case]]:
    """The built-in pack's own cases, with the configuration they are written for."""
    base = load_policies(BUILTIN_CASES, "builtin")
    return base, read_cases(BUILTIN_CASES, "builtin", base)
