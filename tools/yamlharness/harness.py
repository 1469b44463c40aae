"""Read YAML with every parser our users' tools use, and say where they disagree.

- ``libyaml``: PyYAML's CSafeLoader (our own reader, `compiler.yamlsafe`, is built on it);
- ``pyyaml``: PyYAML's pure-Python SafeLoader (tools that install PyYAML without libyaml);
- ``go-yaml-v2``: go.yaml.in/yaml/v2, under sigs.k8s.io/yaml in kubectl and Katib;
- ``go-yaml-v3``: go.yaml.in/yaml/v3, under kustomize's kyaml in Argo CD and Flux;
- ``npm-yaml``: the npm `yaml` package (eemeli/yaml) at the version yaml-language-server uses,
  with its options (YAML 1.2 core schema, strict: false).

The Go program (``main.go``) is built by `tools.gobuild` from the module proxy; the npm package is
installed with ``npm ci`` from ``package-lock.json`` into ``$KATIB_GITOPS_CACHE/npm-yaml/<key>``.
Both run as long-lived processes, one request (a list of YAML texts) a line, so that a test can
ask thousands of questions in a second. Command line, from the repository root::

    python -m tools.yamlharness.harness build
    python -m tools.yamlharness.harness check FILE...
"""

from __future__ import annotations

import datetime
import decimal
import hashlib
import json
import math
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import yaml

from tools import gobuild

HERE = Path(__file__).resolve().parent
ESTIMATE = "about 25 s (12 CPU-seconds) from empty Go caches, module downloads included"
PARSERS = ("libyaml", "pyyaml", "go-yaml-v2", "go-yaml-v3", "npm-yaml")
_NUMBERS = decimal.Context(prec=80)


class NodeMissingError(RuntimeError):
    """`node` or `npm` is not on PATH, or the install failed."""


def _log(msg: str) -> None:
    print(f"[yamlharness] {msg}", file=sys.stderr, flush=True)


# --- the canonical form -----------------------------------------------------------------------
# One value per meaning: numbers by exact value (JavaScript cannot tell 1.0 from 1, and
# Kubernetes' JSON does not either), maps as sorted pairs (Go's maps have no order), every other
# type kept apart (True is not 1, a date is not its text).


@dataclass(frozen=True)
class Failed:
    """The parser refused the text."""

    message: str


def _number(text: str) -> dict[str, str]:
    lowered = text.lower().lstrip("+")
    if lowered in ("nan", "inf", "-inf", "infinity", "-infinity"):
        return {"num": lowered.replace("infinity", "inf")}
    value = _NUMBERS.create_decimal(text)
    return {"num": "0" if value.is_zero() else str(value.normalize(_NUMBERS))}


def _timestamp(value: datetime.date) -> dict[str, str]:
    """A date or time as the UTC instant it names (a date is its midnight, UTC, as in YAML)."""
    if not isinstance(value, datetime.datetime):
        value = datetime.datetime(value.year, value.month, value.day)
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.UTC)
    return {"timestamp": value.astimezone(datetime.UTC).isoformat()}


def _pairs(pairs: Iterable[tuple[Any, Any]]) -> dict[str, Any]:
    return {"map": sorted(([k, v] for k, v in pairs), key=lambda kv: json.dumps(kv[0]))}


def canonical(value: Any) -> Any:
    """The canonical form of Python data (what PyYAML builds, or what a writer was given)."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return _number(str(value))
    if isinstance(value, float):
        return _number(repr(value))
    if isinstance(value, datetime.date):  # datetime is a date too
        return _timestamp(value)
    if isinstance(value, bytes):
        return {"binary": value.hex()}
    if isinstance(value, list | tuple):
        return [canonical(v) for v in value]
    if isinstance(value, dict):
        return _pairs((canonical(k), canonical(v)) for k, v in value.items())
    if isinstance(value, set):  # !!set
        return {"set": sorted(json.dumps(canonical(v)) for v in value)}
    return {"python": type(value).__name__}


def from_typed(value: Any) -> Any:
    """The canonical form of a value as the Go and Node programs type it."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, list):
        return [from_typed(v) for v in value]
    (kind, inner), *_ = value.items()
    if kind in ("i", "f"):
        return _number(inner)
    if kind == "t":
        return _timestamp(datetime.datetime.fromisoformat(inner))
    if kind == "m":
        return _pairs((from_typed(k), from_typed(v)) for k, v in inner)
    return {"unknown": inner}


# --- the parsers ------------------------------------------------------------------------------


def _python(loader: Any) -> Callable[[str], Any]:
    def decode(text: str) -> Any:
        try:
            return [canonical(d) for d in yaml.load_all(text, Loader=loader)]
        except (yaml.YAMLError, ValueError, TypeError, OverflowError) as exc:
            return Failed(f"{type(exc).__name__}: {exc}")

    return decode


class _Server:
    """A harness program that answers one JSON line per JSON line."""

    def __init__(self, argv: Sequence[str], name: str) -> None:
        self.name = name
        self.proc = subprocess.Popen(  # our own harness programs
            list(argv),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )

    def ask(self, texts: Sequence[str]) -> list[dict[str, Any]]:
        stdin, stdout = self.proc.stdin, self.proc.stdout
        assert stdin is not None and stdout is not None
        stdin.write(json.dumps(list(texts)) + "\n")
        stdin.flush()
        line = stdout.readline()
        if not line:
            err: IO[str] | None = self.proc.stderr
            raise gobuild.HarnessError(f"{self.name} ended: {err.read() if err else ''}")
        answer: list[dict[str, Any]] = json.loads(line)
        return answer

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream:
                stream.close()


def build_go(log: gobuild.Log = _log) -> Path:
    return gobuild.build(HERE, "yamlharness", log, ESTIMATE)


def install_npm(log: gobuild.Log = _log) -> Path:
    """``npm ci`` of package-lock.json into the cache, once per lockfile; the folder holding
    node_modules/yaml."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        raise NodeMissingError("`node` and `npm` are not on PATH (Node.js >= 18 reads YAML here)")
    lock = (HERE / "package-lock.json").read_bytes()
    key = hashlib.sha256(lock + b"\0" + (HERE / "package.json").read_bytes()).hexdigest()[:16]
    out = gobuild.cache_root() / "npm-yaml" / f"npm-yaml-{key}"

    def make(tmp: Path) -> str:
        log(f"installing the npm yaml package (key {key}) with npm ci")
        for name in ("package.json", "package-lock.json"):
            shutil.copy(HERE / name, tmp / name)
        res = subprocess.run(  # noqa: PLW1510 - the exit code is checked below
            [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=tmp,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=300,
        )
        if res.returncode != 0:
            raise NodeMissingError(f"npm ci failed (exit {res.returncode}): {res.stderr[-2000:]}")
        return key

    gobuild.fill_once(out, "INSTALL-OK", make)
    return out


class Parsers:
    """Every parser, ready; `decode` gives each one's reading of each text."""

    def __init__(self, log: gobuild.Log = _log) -> None:
        self.go = _Server([str(build_go(log))], "yamlharness")
        node = shutil.which("node")
        try:
            if node is None:
                raise NodeMissingError("`node` is not on PATH")
            self.npm = _Server([node, str(HERE / "decode.cjs"), str(install_npm(log))], "npm-yaml")
        except BaseException:
            self.go.close()
            raise
        # the safe loaders only: YAML never builds Python objects here
        self.python = {"libyaml": _python(yaml.CSafeLoader), "pyyaml": _python(yaml.SafeLoader)}

    def close(self) -> None:
        self.go.close()
        self.npm.close()

    def __enter__(self) -> Parsers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def decode(self, texts: Sequence[str]) -> list[Reading]:
        go = self.go.ask(texts)
        npm = self.npm.ask(texts)
        readings = []
        for text, g, n in zip(texts, go, npm, strict=True):
            views = {name: decode(text) for name, decode in self.python.items()}
            for name, key in (("go-yaml-v2", "v2"), ("go-yaml-v3", "v3")):
                views[name] = Failed(g[key + "Error"]) if key + "Error" in g else _docs(g[key])
            views["npm-yaml"] = Failed(n["error"]) if "error" in n else _docs(n["docs"])
            kubectl: Any = (
                Failed(g["kubectlError"])
                if "kubectlError" in g
                else [json.loads(d) for d in g.get("kubectl", [])]
            )
            readings.append(Reading(text, views, kubectl))
        return readings


def _docs(docs: list[Any] | None) -> list[Any]:
    return [from_typed(d) for d in docs or []]


@dataclass(frozen=True)
class Reading:
    """One text as each parser reads it (a list of canonical documents, or Failed), and the
    JSON documents kubectl would send for it."""

    text: str
    views: dict[str, Any]
    kubectl: Any

    def agreed(self) -> bool:
        first = self.views[PARSERS[0]]
        return not isinstance(first, Failed) and all(v == first for v in self.views.values())

    def explain(self, limit: int = 300) -> str:
        """Where the readings part: the first path at which a parser differs from libyaml, and
        what each parser has there."""
        first = self.views[PARSERS[0]]
        other = next((v for v in self.views.values() if v != first), first)
        path = _difference(first, other, ())
        lines = [f"text: {_cut(repr(self.text), limit)}", f"  at {list(path)}:"]
        lines += [f"  {name}: {_cut(repr(_at(self.views[name], path)), limit)}" for name in PARSERS]
        return "\n".join(lines)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


def _children(value: Any) -> list[tuple[Any, Any]] | None:
    if isinstance(value, list):
        return list(enumerate(value))
    if isinstance(value, dict) and "map" in value:
        return [(json.dumps(k), v) for k, v in value["map"]]
    return None


def _difference(a: Any, b: Any, path: tuple[Any, ...]) -> tuple[Any, ...]:
    """The deepest path at which `a` and `b` still differ, following the first difference."""
    ca, cb = _children(a), _children(b)
    if ca is None or cb is None or a == b or len(ca) != len(cb):
        return path
    for (ka, va), (kb, vb) in zip(ca, cb, strict=True):
        if ka != kb:
            return path
        if va != vb:
            return _difference(va, vb, (*path, ka))
    return path


def _at(value: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        children = dict(_children(value) or [])
        if step not in children:
            return value
        value = children[step]
    return value


def as_json(value: Any) -> Any:
    """Python data as kubectl turns it into JSON (keys become text: true, 1, 1.5)."""
    if isinstance(value, dict):
        return {_json_key(k): as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("JSON cannot carry NaN or infinity")
    return value


def _json_key(key: Any) -> str:
    if isinstance(key, bool):
        return "true" if key else "false"
    return key if isinstance(key, str) else str(key)


def main(argv: Sequence[str]) -> int:
    if list(argv) == ["build"]:
        print(build_go())
        print(install_npm())
        return 0
    if argv[:1] == ["check"] and len(argv) > 1:
        texts = [Path(f).read_text("utf-8") for f in argv[1:]]
        with Parsers() as parsers:
            bad = [
                (f, r)
                for f, r in zip(argv[1:], parsers.decode(texts), strict=True)
                if not r.agreed()
            ]
        for file, reading in bad:
            print(f"{file}: the parsers disagree\n{reading.explain()}")
        same = len(texts) - len(bad)
        print(f"{same} of {len(texts)} files read the same under {', '.join(PARSERS)}")
        return 1 if bad else 0
    print("usage: python -m tools.yamlharness.harness build | check FILE...", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
