"""The order of the stages, pure: Document → ExperimentSpec → Katib manifest → Katib's admission
(defaults, webhook rules, run-time rules) → the stored object, with every finding located in the
spec.
"""

from __future__ import annotations

import gc
import hashlib
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from compiler.admission import ConfigMaps, admit
from compiler.admission.katibconfig import KatibConfig
from compiler.kubetypes import dotted
from compiler.model.codec import replace
from compiler.model.diagnostics import Diagnostic, Severity
from compiler.model.katib import Experiment
from compiler.model.source import Document, Location, Path
from compiler.model.spec import ExperimentSpec
from compiler.normalize import SpecContext, normalize
from compiler.render.trial import RenderError, render_trial, trial_template_text
from compiler.trialtemplate import Problem
from compiler.validate import validate_spec
from compiler.yamlout import dump

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)
EDITABLE = ("parallelTrialCount", "maxTrialCount", "maxFailedTrialCount")
REVISION_LENGTH = 10
SUFFIX_LENGTH = REVISION_LENGTH + 1  # "-" and the revision
MAX_NAME = 40  # Katib's V-1
PBT_MAX_NAME = 26  # Katib's PBT names trials <name>-<uuid4>, a label value (R24)
# Katib findings that repeat a spec-level one at the same place, in Katib's words
_SHADOWED = {"KATIB-R1": "SPEC-UNUSED", "KATIB-V37e": "SPEC-PARAMETER"}


class Deferred(Generic[T_co]):
    """A field's value, worked out when it is first read: a compile-cache hit
    (`compiler.compile_cache`) restores what every command reads at once and the rest, such
    as the validated spec, only if something asks for it."""

    __slots__ = ("make",)

    def __init__(self, make: Callable[[], T_co]) -> None:
        self.make = make


class _Lazy(Generic[T]):
    """A dataclass field that may be given a `Deferred`; reading it gives the value."""

    def __init__(self, name: str, default: T) -> None:
        self.slot = "_" + name
        self.default = default

    def __get__(self, obj: object | None, owner: Any = None) -> T:
        if obj is None:
            return self.default
        value = obj.__dict__[self.slot]
        if type(value) is Deferred:
            value = value.make()
            obj.__dict__[self.slot] = value
        return value  # type: ignore[no-any-return]

    def __set__(self, obj: object, value: T | Deferred[T]) -> None:
        # field(default=...) hands dataclasses this descriptor itself as the default
        obj.__dict__[self.slot] = value.default if isinstance(value, _Lazy) else value


@dataclass(frozen=True)
class Compiled:
    """One experiment of a spec, compiled."""

    source: str
    index: int
    spec: _Lazy[ExperimentSpec | None] = _Lazy("spec", None)
    manifest: _Lazy[dict[str, Any] | None] = _Lazy("manifest", None)  # status left out
    experiment: _Lazy[Experiment | None] = _Lazy("experiment", None)
    revision: str = ""
    diagnostics: tuple[Diagnostic, ...] = field(default=())
    # the Katib manifest with each Katib path located at the spec line it came from
    located: _Lazy[Document | None] = field(
        default=_Lazy("located", None), repr=False, compare=False
    )
    # the manifest as generated/ holds it (YAML), when already known
    rendered: _Lazy[str | None] = field(default=_Lazy("rendered", None), repr=False, compare=False)
    # the spec's name, and the manifest's name and namespace, when known without decoding the
    # spec or the manifest (a cache hit)
    known_name: str | None = field(default=None, repr=False, compare=False)
    known_metadata: dict[str, str] | None = field(default=None, repr=False, compare=False)
    # its item of its folder's kustomization `patches`, as YAML, when already known (a hit)
    known_patch: str | None = field(default=None, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return self.has_manifest and not any(d.severity == Severity.ERROR for d in self.diagnostics)

    @property
    def has_manifest(self) -> bool:
        """`manifest is not None`, without decoding a manifest restored from the cache."""
        held = self.__dict__["_manifest"]
        return held is not None if type(held) is not Deferred else self.known_metadata is not None

    @property
    def has_experiment(self) -> bool:
        """`experiment is not None`, without compiling again an experiment restored from the
        cache (it holds a `Deferred` only for an experiment there is)."""
        return self.__dict__["_experiment"] is not None

    @property
    def metadata(self) -> dict[str, Any]:
        """The manifest's metadata: its name and namespace at least (empty without one)."""
        if self.known_metadata is not None:
            return self.known_metadata
        return self.manifest["metadata"] if self.manifest is not None else {}

    @property
    def name(self) -> str:
        if self.known_name is not None:
            return self.known_name
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
    located = Document(norm.manifest, doc.file, doc.index, values=_located(doc, norm.origin))
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
        rendered=Deferred(lambda: dump(manifest)) if manifest is not None else None,
    )


@contextmanager
def collection_paused() -> Iterator[None]:
    """Compiling a repository allocates millions of objects, nearly all of them kept (the
    compiled experiments) and hardly any in cycles; the cyclic garbage collector would walk
    the growing heap again and again (a fifth of a compile), during the compile and after it.
    So collection pauses, and what is alive at the end is frozen (`gc.freeze`: refcounting
    still frees it, the collector no longer walks it); the next compile thaws it first, so
    that a long-running process (the reconciler) does not keep garbage cycles for good."""
    if not gc.isenabled():  # the caller manages collection itself
        yield
        return
    gc.unfreeze()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


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
    text = _REVISION_ENCODER.encode(spec)
    return hashlib.sha256(text.encode()).hexdigest()[:REVISION_LENGTH]


# what json.dumps(spec, sort_keys=True, separators=(",", ":"), ensure_ascii=False) builds
_REVISION_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def object_name(name: str, revision: str) -> str:
    """The Katib object of a revision: `<name>-<revision>` (ARCHITECTURE.md, "Names")."""
    return f"{name}-{revision}"


def _suffixed(
    manifest: dict[str, Any], exp: Experiment | None, revision: str
) -> tuple[dict[str, Any], Experiment | None]:
    name = object_name(str(manifest["metadata"]["name"]), revision)
    renamed = {**manifest, "metadata": {**manifest["metadata"], "name": name}}
    if exp is not None:
        # `model_copy(update=...)`, built without pydantic's generic copy
        exp = replace(exp, metadata=replace(exp.metadata, name=name))
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


def _located(doc: Document, origin: dict[Path, Path]) -> dict[Path, Location]:
    """Each Katib path at its spec path's location (`doc.where`, the exact hit looked up
    first: nearly every spec path has one)."""
    values = doc.values
    out: dict[Path, Location] = {}
    for katib, spec in origin.items():
        found = values.get(spec) if spec else None
        out[katib] = found if found is not None else doc.where(spec)
    return out


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
