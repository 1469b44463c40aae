"""The order of the stages, pure: Document → ExperimentSpec → Katib manifest → Katib's admission
(defaults, webhook rules, run-time rules) → the stored object, with every finding located in the
spec.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from compiler.admission import ConfigMaps, admit
from compiler.admission.katibconfig import KatibConfig
from compiler.kubetypes import dotted
from compiler.model.diagnostics import Diagnostic, Severity
from compiler.model.katib import Experiment
from compiler.model.source import Document
from compiler.model.spec import ExperimentSpec
from compiler.normalize import SpecContext, normalize
from compiler.render.trial import RenderError, render_trial, trial_template_text
from compiler.trialtemplate import Problem
from compiler.validate import validate_spec

EDITABLE = ("parallelTrialCount", "maxTrialCount", "maxFailedTrialCount")
REVISION_LENGTH = 10
SUFFIX_LENGTH = REVISION_LENGTH + 1  # "-" and the revision
MAX_NAME = 40  # Katib's V-1
PBT_MAX_NAME = 26  # Katib's PBT names trials <name>-<uuid4>, a label value (R24)
# Katib findings that repeat a spec-level one at the same place, in Katib's words
_SHADOWED = {"KATIB-R1": "SPEC-UNUSED", "KATIB-V37e": "SPEC-PARAMETER"}


@dataclass(frozen=True)
class Compiled:
    """One experiment of a spec, compiled."""

    source: str
    index: int
    spec: ExperimentSpec | None = None
    manifest: dict[str, Any] | None = None  # what Katib stores, status left out
    experiment: Experiment | None = None
    revision: str = ""
    diagnostics: tuple[Diagnostic, ...] = field(default=())
    # the Katib manifest with each Katib path located at the spec line it came from
    located: Document | None = field(default=None, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return self.manifest is not None and not any(
            d.severity == Severity.ERROR for d in self.diagnostics
        )

    @property
    def name(self) -> str:
        return self.spec.name if self.spec else ""


def compile_document(
    doc: Document,
    ctx: SpecContext,
    config: KatibConfig,
    configmaps: ConfigMaps | None = None,
    default_name: str | None = None,
) -> Compiled:
    spec, diags = validate_spec(doc, default_name)
    if spec is None:
        if not diags:  # never drop an experiment silently
            diags = [
                Diagnostic(code="SPEC-VALUE", message="the spec is not valid", where=doc.where(()))
            ]
        return Compiled(doc.file, doc.index, diagnostics=tuple(_sorted(diags)))
    norm = normalize(spec, ctx)
    diags += [_problem(doc, p) for p in norm.problems]
    located = Document(
        norm.manifest,
        doc.file,
        doc.index,
        values={k: doc.where(v) for k, v in norm.origin.items()},
    )
    verdict = admit(located, config=config, configmaps=configmaps or {}, strict=True)
    spec_codes = {(d.code, d.where) for d in diags}
    for d in (*verdict.errors, *verdict.warnings):
        if (_SHADOWED.get(d.code), d.where) in spec_codes:
            continue
        diags.append(d)
    manifest = verdict.object
    if verdict.allowed and verdict.experiment is not None:
        diags += sample_trial_findings(verdict.experiment, located, configmaps or {})
    revision = revision_of(manifest) if manifest else ""
    experiment = verdict.experiment
    if manifest is not None and spec.revisionSuffix:
        manifest, experiment = _suffixed(manifest, experiment, revision)
        diags += _name_findings(manifest, located, diags)
    return Compiled(
        doc.file,
        doc.index,
        spec,
        manifest,
        experiment,
        revision,
        tuple(_sorted(diags)),
        located,
    )


def sample_trial_findings(
    exp: Experiment, located: Document, configmaps: ConfigMaps
) -> list[Diagnostic]:
    """Render one trial job with sample values and check it against its kind's schema: a typo
    in a TFJob field, say, is dropped silently by Kubernetes and found only at run time."""
    try:
        text = trial_template_text(exp, configmaps)
        rendered = render_trial(exp, text)
    except RenderError as exc:
        return [
            Diagnostic(
                code="RENDER-TRIAL",
                message=f"a sample trial cannot be rendered: {exc}",
                where=located.where(("spec", "trialTemplate")),
                hint="Katib would fail to create the trial the same way",
            )
        ]
    base = ("spec", "trialTemplate", "trialSpec")
    return [
        Diagnostic(
            code="RENDER-SCHEMA",
            message=f"{rendered.job.get('kind')} {dotted(issue.path)}: {issue.message}",
            where=located.where((*base, *issue.path)),
            hint=f"did you mean {issue.suggestion!r}?"
            if issue.suggestion
            else "fix the field so that the rendered job matches its Kubernetes schema",
            field=dotted((*base, *issue.path)),
        )
        for issue in rendered.issues
    ]


def revision_of(manifest: dict[str, Any]) -> str:
    """A content hash of what Katib cannot change in place: the spec without its budget."""
    spec = {k: v for k, v in manifest.get("spec", {}).items() if k not in EDITABLE}
    text = json.dumps(spec, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:REVISION_LENGTH]


def object_name(name: str, revision: str) -> str:
    """The Katib object of a revision: `<name>-<revision>` (ARCHITECTURE.md, "Names")."""
    return f"{name}-{revision}"


def _suffixed(
    manifest: dict[str, Any], exp: Experiment | None, revision: str
) -> tuple[dict[str, Any], Experiment | None]:
    name = object_name(str(manifest["metadata"]["name"]), revision)
    renamed = {**manifest, "metadata": {**manifest["metadata"], "name": name}}
    if exp is not None:
        exp = exp.model_copy(update={"metadata": exp.metadata.model_copy(update={"name": name})})
    return renamed, exp


def _name_findings(
    manifest: dict[str, Any], located: Document, found: list[Diagnostic]
) -> list[Diagnostic]:
    """Katib's name limits (V-1: 40 characters; PBT's R24: 26, reference §10.3 item 10) for
    the suffixed name; the admission above judged the spec's name alone."""
    name = str(manifest["metadata"]["name"])
    pbt = manifest["spec"].get("algorithm", {}).get("algorithmName") == "pbt"
    limit, code = (PBT_MAX_NAME, "KATIB-R24") if pbt else (MAX_NAME, "KATIB-V1")
    if len(name) <= limit or any(d.code == code for d in found):
        return []
    base = len(name) - SUFFIX_LENGTH
    return [
        Diagnostic(
            code=code,
            message=f"the Experiment's name {name!r} (the spec's name and its revision) has "
            f"{len(name)} characters; Katib allows {limit}",
            where=located.where(("metadata", "name")),
            hint=f"shorten the name to {limit - SUFFIX_LENGTH} characters (it has {base}), or "
            "set revisionSuffix: false",
            field="metadata.name",
            type="Invalid",
        )
    ]


def _problem(doc: Document, p: Problem) -> Diagnostic:
    return Diagnostic(
        code=p.code,
        message=p.message,
        severity=Severity(p.severity),
        where=doc.where(p.path),
        hint=p.hint,
        field=".".join(str(x) for x in p.path),
    )


def _sorted(diags: list[Diagnostic]) -> list[Diagnostic]:
    def key(d: Diagnostic) -> tuple[int, int, int, str]:
        w = d.where
        return (
            0 if d.severity == Severity.ERROR else 1,
            w.line if w else 0,
            w.column if w else 0,
            d.code,
        )

    return sorted(diags, key=key)
