"""Images: from registries the platform trusts, and pinned, so that a trial runs the code that
was reviewed. Covers every container of every trial pod and a Custom metrics collector.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator, Mapping
from typing import NamedTuple

from compiler.model.source import Path
from compiler.policy.api import Context, Finding, Severity, Subject, rule

CUSTOM = ("spec", "metricsCollectorSpec", "collector", "customCollector")


class Image(NamedTuple):
    ref: str
    path: Path
    owner: str  # "container 'x'" or "the custom metrics collector"


class Parsed(NamedTuple):
    name: str  # registry/path, Docker Hub's defaults written out
    tag: str
    digest: str


def images(subject: Subject) -> Iterator[Image]:
    for c in subject.containers:
        image = c.get("image")
        if isinstance(image, str):
            yield Image(image, c.at("image"), f"container {c.name!r}")
    custom = subject.get(*CUSTOM)
    if isinstance(custom, Mapping) and isinstance(custom.get("image"), str):
        yield Image(custom["image"], (*CUSTOM, "image"), "the custom metrics collector")


def parse(ref: str) -> Parsed:
    """`ubuntu` → docker.io/library/ubuntu; `repo:tag@sha256:...` → its three parts."""
    name, _, digest = ref.partition("@")
    slash = name.rfind("/")
    colon = name.rfind(":")
    tag = ""
    if colon > slash:
        name, tag = name[:colon], name[colon + 1 :]
    first = name.split("/", 1)[0]
    if "/" not in name:
        name = f"docker.io/library/{name}"
    elif "." not in first and ":" not in first and first != "localhost":
        name = f"docker.io/{name}"
    return Parsed(name, tag, digest)


def allowed(name: str, registries: tuple[str, ...]) -> bool:
    """An entry is a registry (`ghcr.io`), a prefix of whole path parts (`ghcr.io/kubeflow`,
    `kubeflowkatib` for Docker Hub) or a glob (`*.dkr.ecr.*.amazonaws.com/ml/*`)."""
    for entry in registries:
        if "*" in entry or "?" in entry:
            if fnmatch.fnmatchcase(name, entry):
                return True
            continue
        prefix = _prefix(entry.strip().rstrip("/"))
        if name == prefix or name.startswith(prefix + "/"):
            return True
    return False


def _prefix(entry: str) -> str:
    first = entry.split("/", 1)[0]
    if "." in first or ":" in first or first == "localhost":
        return entry
    return f"docker.io/{entry}"


@rule(
    "images-registry",
    title="Images come from allowed registries",
    rationale="An image from an unknown registry is code nobody on the platform has vetted; it "
    "runs next to other teams' data with the trial's credentials.",
    fix="Push the image to an allowed registry, or add the registry to "
    "parameters.images.registries in policies/config.yaml after review.",
)
def registry(subject: Subject, context: Context) -> Iterator[Finding]:
    registries = tuple(context.param("images", "registries", default=()))
    if not registries:
        return
    for image in images(subject):
        if "${" in image.ref:
            yield Finding(
                f"{image.owner}: the image {image.ref!r} is chosen by a trial parameter "
                "and cannot be checked",
                image.path,
                severity=Severity.WARNING,
            )
        elif not allowed(parse(image.ref).name, registries):
            yield Finding(
                f"{image.owner}: image {image.ref!r} is not from an allowed registry "
                f"({', '.join(registries)})",
                image.path,
            )


@rule(
    "images-tag",
    title="No latest or untagged images",
    rationale="`latest` (which an untagged image means) changes under the experiment: trials of "
    "one experiment may run different code, and results cannot be reproduced.",
    fix="Use an immutable version tag (or a digest): image: registry/name:1.4.2.",
)
def tag(subject: Subject, context: Context) -> Iterator[Finding]:
    for image in images(subject):
        parsed = parse(image.ref)
        if "${" in image.ref or parsed.digest:
            continue
        if not parsed.tag:
            yield Finding(f"{image.owner}: image {image.ref!r} has no tag (so: latest)", image.path)
        elif parsed.tag == "latest":
            yield Finding(f"{image.owner}: image {image.ref!r} uses the tag latest", image.path)


@rule(
    "images-digest",
    severity="warning",
    enabled=False,
    title="Images pinned by digest",
    rationale="A tag can be pushed again; only a digest names exactly one image.",
    fix="Append the digest: image: registry/name:1.4.2@sha256:<digest>.",
)
def digest(subject: Subject, context: Context) -> Iterator[Finding]:
    for image in images(subject):
        if "${" not in image.ref and not parse(image.ref).digest.startswith("sha256:"):
            yield Finding(f"{image.owner}: image {image.ref!r} is not pinned by digest", image.path)
