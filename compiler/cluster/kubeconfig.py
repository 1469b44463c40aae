"""Where the connection settings come from, and whether they are usable (read before the
`kubernetes` client sees them, so that every problem is a `ConfigError` with a hint).

Precedence, as kubectl's: an explicit --kubeconfig, then $KUBECONFIG (a list of files, merged:
the first file to define a name wins), then ~/.kube/config, then the in-cluster service
account. Files are read with our safe parser (as sigs.k8s.io/yaml reads them); relative file
paths in them are resolved against the file's own folder, as kubectl does.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from compiler.cluster.errors import ConfigError
from compiler.errors import InputError
from compiler.yamlsafe import decode_text, parse_go_documents

SERVICE_ACCOUNT_DIR = Path("/var/run/secrets/kubernetes.io/serviceaccount")

_SECTIONS = ("clusters", "contexts", "users")
_FILE_KEYS = {
    "clusters": ("cluster", ("certificate-authority",)),
    "users": ("user", ("client-certificate", "client-key", "tokenFile")),
}
_HINT_FLAGS = "pass --kubeconfig FILE, set KUBECONFIG, or run inside the cluster"


@dataclass(frozen=True)
class Selected:
    """The chosen context of a (merged) kubeconfig."""

    config: dict[str, Any]  # the merged kubeconfig, file paths made absolute
    context: str
    namespace: str
    server: str
    source: str  # the file(s) it came from, for messages


@dataclass(frozen=True)
class InCluster:
    host: str  # https://host:port
    environ: dict[str, str]  # KUBERNETES_SERVICE_HOST and _PORT
    token_file: Path
    ca_file: Path
    namespace: str


def locate(explicit: str | None, environ: Mapping[str, str], home: Path) -> list[Path] | None:
    """The kubeconfig files to read, or None for the in-cluster service account."""
    if explicit:
        path = Path(explicit).expanduser()
        if not path.exists():
            raise ConfigError(f"kubeconfig {path} does not exist", hint="check --kubeconfig")
        return [path]
    listed = [Path(p).expanduser() for p in environ.get("KUBECONFIG", "").split(os.pathsep) if p]
    if listed:
        found = [p for p in listed if p.exists()]
        if not found:
            raise ConfigError(
                "none of the files in $KUBECONFIG exist: " + ", ".join(map(str, listed)),
                hint="fix KUBECONFIG, or pass --kubeconfig FILE",
            )
        return found
    default = home / ".kube" / "config"
    if default.exists():
        return [default]
    if environ.get("KUBERNETES_SERVICE_HOST"):
        return None
    raise ConfigError(
        "no kubeconfig: no --kubeconfig, no $KUBECONFIG, no ~/.kube/config, and not in a pod",
        hint=_HINT_FLAGS,
    )


def read(paths: list[Path]) -> dict[str, Any]:
    """The files merged into one kubeconfig (kubectl's rules: first name wins)."""
    merged: dict[str, Any] = {section: [] for section in _SECTIONS}
    for path in paths:
        config = _read_one(path)
        for section in _SECTIONS:
            known = {entry["name"] for entry in merged[section]}
            merged[section] += [e for e in config.get(section) or [] if e["name"] not in known]
        if config.get("current-context") and not merged.get("current-context"):
            merged["current-context"] = config["current-context"]
    return merged


def select(config: dict[str, Any], context: str | None, source: str) -> Selected:
    names = [c["name"] for c in config["contexts"]]
    listing = ", ".join(names) or "none"
    if context is None:
        context = config.get("current-context") or ""
        if not context:
            raise ConfigError(
                f"{source} has no current-context", hint=f"pass --context (contexts: {listing})"
            )
    if context not in names:
        raise ConfigError(
            f"no context {context!r} in {source}", hint=f"pick one of: {listing} (--context)"
        )
    ctx = _named(config, "contexts", context).get("context") or {}
    cluster_name = str(ctx.get("cluster") or "")
    cluster = _named(config, "clusters", cluster_name).get("cluster") or {}
    if not cluster:
        raise ConfigError(
            f"context {context!r} names cluster {cluster_name!r}, which {source} does not define",
            hint="fix the context's cluster in the kubeconfig",
        )
    server = str(cluster.get("server") or "")
    where = urlsplit(server)
    if where.scheme not in ("https", "http") or not where.hostname:
        raise ConfigError(
            f"cluster {cluster_name!r} in {source} has no usable server: {server!r}",
            hint="the server is a URL such as https://host:6443",
        )
    user = _named(config, "users", str(ctx.get("user") or "")).get("user") or {}
    _files_exist(context, cluster, user)
    namespace = str(ctx.get("namespace") or "default")
    return Selected(config, context, namespace, server, source)


def _files_exist(context: str, cluster: dict[str, Any], user: dict[str, Any]) -> None:
    """The files a context names are there (else every request would fail as if the cluster
    were away)."""
    for section, keys in ((cluster, _FILE_KEYS["clusters"][1]), (user, _FILE_KEYS["users"][1])):
        for key in keys:
            value = section.get(key)
            if isinstance(value, str) and value and not Path(value).expanduser().is_file():
                raise ConfigError(
                    f"the {key} of context {context!r}, {value}, does not exist",
                    hint="fix the path in the kubeconfig (relative paths are read from its folder)",
                )


def in_cluster(environ: Mapping[str, str], sa_dir: Path) -> InCluster:
    """The service account's settings (KUBERNETES_SERVICE_HOST/PORT and its mounted files)."""
    host, port = environ.get("KUBERNETES_SERVICE_HOST", ""), environ.get("KUBERNETES_SERVICE_PORT")
    token, ca = sa_dir / "token", sa_dir / "ca.crt"
    for path, what in ((token, "token"), (ca, "CA certificate")):
        if not path.is_file():
            raise ConfigError(
                f"in a pod (KUBERNETES_SERVICE_HOST is set) but the service account {what} "
                f"{path} is missing",
                hint="mount the service account token (automountServiceAccountToken: true), "
                "or pass --kubeconfig",
            )
        _readable(path)
    try:
        namespace = (sa_dir / "namespace").read_text().strip() or "default"
    except OSError:
        namespace = "default"
    address = f"[{host}]" if ":" in host else host
    port = port or "443"
    environ = {"KUBERNETES_SERVICE_HOST": host, "KUBERNETES_SERVICE_PORT": port}
    return InCluster(f"https://{address}:{port}", environ, token, ca, namespace)


def _read_one(path: Path) -> dict[str, Any]:
    data = _readable(path)
    try:
        docs = parse_go_documents(decode_text(data, str(path)), str(path), first_only=True)
    except InputError as exc:
        raise ConfigError(f"kubeconfig {path} is not YAML: {exc}", hint="check the file") from None
    config = docs[0] if docs else None
    _check_shape(config, path)
    assert isinstance(config, dict)
    _absolute_paths(config, path.parent.resolve())
    return config


def _readable(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except IsADirectoryError:
        raise ConfigError(f"{path} is a folder, not a kubeconfig file") from None
    except OSError as exc:
        raise ConfigError(
            f"cannot read {path}: {exc.strerror or exc}", hint="check the file's permissions"
        ) from None


def _check_shape(config: object, path: Path) -> None:
    hint = "a kubeconfig is a mapping with clusters, contexts, users and current-context"
    if not isinstance(config, dict) or not (
        config.get("kind") == "Config" or any(k in config for k in (*_SECTIONS, "current-context"))
    ):
        raise ConfigError(f"{path} is not a kubeconfig", hint=hint)
    for section in _SECTIONS:
        entries = config.get(section) or []
        if not isinstance(entries, list) or not all(
            isinstance(e, dict) and isinstance(e.get("name"), str) for e in entries
        ):
            raise ConfigError(f"{path}: {section} must be a list of named entries", hint=hint)
    if not isinstance(config.get("current-context") or "", str):
        raise ConfigError(f"{path}: current-context must be a string", hint=hint)


def _absolute_paths(config: dict[str, Any], base: Path) -> None:
    for section, (inner, keys) in _FILE_KEYS.items():
        for entry in config.get(section) or []:
            body = entry.get(inner)
            if not isinstance(body, dict):
                continue
            for key in keys:
                value = body.get(key)
                if isinstance(value, str) and value and not Path(value).expanduser().is_absolute():
                    body[key] = str(base / value)


def _named(config: dict[str, Any], section: str, name: str) -> dict[str, Any]:
    for entry in config.get(section) or []:
        if entry.get("name") == name:
            return dict(entry)
    return {}
