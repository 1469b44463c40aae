"""A real Kubernetes API server (plus etcd, plus Katib's admission webhooks) for tests.

Everything is built from Go modules fetched through the Go module proxy; nothing from
Kubernetes or Katib is stored in this repository:

* ``build/``   -- a build-only Go module: ``kube-apiserver`` (k8s.io/kubernetes) and ``etcd``
  (go.etcd.io/etcd/server/v3, the version kube-apiserver itself depends on);
* ``webhook/`` -- a build-only Go module: ``katib-webhook``, Katib's own ``/mutate-experiment``
  and ``/validate-experiment`` handlers (github.com/kubeflow/katib);
* Katib's CRDs, its ``katib-config`` and its webhook rules are read at test time from the
  Katib module in the Go module cache (``go mod download -json github.com/kubeflow/katib@VER``).

Binaries are cached in ``$KATIB_GITOPS_CACHE/apiserver/`` (default
``~/.cache/katib-gitops/apiserver/``), one directory per Go module, keyed by a hash of that
module's go.mod, go.sum, Go sources, the Go version and the build flags, so a rebuild happens
only when one of those changes.

Command line (from the repository root)::

    python -m tools.devcluster.harness build [--webhook]   # build (or reuse) binaries
    python -m tools.devcluster.harness up [--webhook]      # run a cluster until Ctrl-C

Only the standard library and PyYAML are used here; the tests use the ``kubernetes`` client.
"""

from __future__ import annotations

import argparse
import atexit
import base64
import contextlib
import ctypes
import dataclasses
import fcntl
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
BUILD_MODULE = HERE / "build"
WEBHOOK_MODULE = HERE / "webhook"

KATIB_MODULE = "github.com/kubeflow/katib"
KATIB_CRD_DIR = "manifests/v1beta1/components/crd"
KATIB_CONFIG_FILE = "manifests/v1beta1/installs/katib-standalone/katib-config.yaml"
KATIB_WEBHOOKS_FILE = "manifests/v1beta1/components/webhook/webhooks.yaml"
KATIB_CONFIG_NAMESPACE = "kubeflow"  # consts.DefaultKatibNamespace (env KATIB_CORE_NAMESPACE)

INJECTION_LABEL = "katib.kubeflow.org/metrics-collector-injection"
#: Namespaces carrying this label (and only those) go through the test's Katib webhooks.
WEBHOOK_SCOPE_LABEL = "katib-gitops.test/katib-webhooks"

LOOPBACK = "127.0.0.1"

Log = Callable[[str], None]


def _default_log(msg: str) -> None:
    print(f"[apiserver] {msg}", file=sys.stderr, flush=True)


class GoNotFound(RuntimeError):
    """The ``go`` command is not on PATH."""


class HarnessError(RuntimeError):
    """Building or starting the test cluster failed."""


# --------------------------------------------------------------------------------------------
# Building


@dataclasses.dataclass(frozen=True)
class GoModule:
    dir: Path
    #: binary name -> package path relative to the module
    binaries: dict[str, str]


MODULES = {
    "build": GoModule(
        BUILD_MODULE, {"kube-apiserver": "./cmd/kube-apiserver", "etcd": "./cmd/etcd"}
    ),
    "webhook": GoModule(WEBHOOK_MODULE, {"katib-webhook": "./cmd/katib-webhook"}),
}


#: measured on 2 cores with empty Go build and module caches
BUILD_ESTIMATE = {
    "build": "about 7.5 min from empty Go caches",
    "webhook": "about 1.5 min from empty Go caches",
}


def cache_root() -> Path:
    base = os.environ.get("KATIB_GITOPS_CACHE")
    root = Path(base).expanduser() if base else Path.home() / ".cache" / "katib-gitops"
    return root / "apiserver"


def find_go() -> str:
    go = shutil.which("go")
    if go is None:
        raise GoNotFound(
            "the `go` command is not on PATH (Go >= 1.24 is needed to build kube-apiserver)"
        )
    return go


def _required_version(module_dir: Path, module: str) -> str:
    text = (module_dir / "go.mod").read_text()
    m = re.search(rf"^\s*(?:require\s+)?{re.escape(module)}\s+(v\S+)", text, re.M)
    if not m:
        raise HarnessError(f"{module} is not required in {module_dir / 'go.mod'}")
    return m.group(1)


def kubernetes_version() -> str:
    return _required_version(BUILD_MODULE, "k8s.io/kubernetes")


def katib_version() -> str:
    return _required_version(WEBHOOK_MODULE, KATIB_MODULE)


def _ldflags(name: str) -> str:
    flags = ["-s", "-w"]
    if name == "build":
        v = kubernetes_version()
        major, minor = v.lstrip("v").split(".")[:2]
        pkg = "k8s.io/component-base/version"
        flags += [
            f"-X {pkg}.gitVersion={v}",
            f"-X {pkg}.gitMajor={major}",
            f"-X {pkg}.gitMinor={minor}",
            f"-X {pkg}.gitTreeState=clean",
        ]
    return " ".join(flags)


def _go_env() -> dict[str, str]:
    env = dict(os.environ)
    env["CGO_ENABLED"] = "0"  # static binaries, no C toolchain needed
    return env


def _go_version(go: str) -> str:
    return (
        subprocess.run(
            [go, "env", "GOVERSION", "GOOS", "GOARCH"],
            check=True,
            capture_output=True,
            text=True,
            env=_go_env(),
        )
        .stdout.strip()
        .replace("\n", " ")
    )


def build_key(name: str, go: str | None = None) -> str:
    """Hash of everything that determines the binaries of module ``name``."""
    mod = MODULES[name]
    h = hashlib.sha256()
    h.update(_go_version(go or find_go()).encode())
    h.update(_ldflags(name).encode())
    sources = sorted(str(p.relative_to(mod.dir)) for p in mod.dir.rglob("*.go"))
    files = ["go.mod", "go.sum", *sources]
    for rel in files:
        h.update(rel.encode() + b"\0" + (mod.dir / rel).read_bytes() + b"\0")
    return h.hexdigest()[:16]


def _run_go_build(go: str, name: str, out_dir: Path, log: Log) -> None:
    mod = MODULES[name]
    argv = [
        go,
        "build",
        "-v",
        "-trimpath",
        "-ldflags",
        _ldflags(name),
        "-o",
        str(out_dir) + os.sep,
        *mod.binaries.values(),
    ]
    log(f"go build in {mod.dir} -> {out_dir}")
    proc = subprocess.Popen(
        argv,
        cwd=mod.dir,
        env=_go_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    assert proc.stdout is not None
    start = last = time.monotonic()
    count = 0
    tail: list[str] = []
    for line in proc.stdout:
        text = line.rstrip()
        tail = [*tail, text][-40:]
        if text and not text.startswith(("#", " ")) and " " not in text:
            count += 1  # `go build -v` prints one package path per compiled package
        now = time.monotonic()
        if now - last >= 30:
            log(f"  {name}: {count} packages compiled, {now - start:.0f}s")
            last = now
    rc = proc.wait()
    if rc != 0:
        raise HarnessError(f"go build of {name} failed (exit {rc}):\n" + "\n".join(tail))
    log(f"  {name}: done, {count} packages compiled, {time.monotonic() - start:.0f}s")


def build(name: str = "build", log: Log = _default_log) -> dict[str, Path]:
    """Build module ``name`` ("build" or "webhook") once; return binary name -> path."""
    go = find_go()
    mod = MODULES[name]
    root = cache_root()
    root.mkdir(parents=True, exist_ok=True)
    key = build_key(name, go)
    out = root / f"{name}-{key}"
    paths = {b: out / b for b in mod.binaries}
    stamp = out / "BUILD-OK.json"
    if stamp.exists() and all(p.exists() for p in paths.values()):
        return paths
    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one builder at a time (pytest-xdist, parallel CI jobs)
        if stamp.exists() and all(p.exists() for p in paths.values()):
            return paths
        log(f"building {', '.join(mod.binaries)} (key {key}), {BUILD_ESTIMATE[name]}")
        start = time.monotonic()
        tmp = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=root))
        try:
            _run_go_build(go, name, tmp, log)
            missing = [b for b in mod.binaries if not (tmp / b).is_file()]
            if missing:
                raise HarnessError(f"go build of {name} produced no {', '.join(missing)}")
            seconds = time.monotonic() - start
            (tmp / "BUILD-OK.json").write_text(
                json.dumps(
                    {
                        "key": key,
                        "go": _go_version(go),
                        "seconds": round(seconds, 1),
                        "binaries": sorted(mod.binaries),
                    },
                    indent=2,
                )
            )
            if out.exists():
                shutil.rmtree(out)
            tmp.rename(out)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
        for old in root.glob(f"{name}-*"):  # drop binaries of older versions
            if old != out and old.is_dir() and (old / "BUILD-OK.json").exists():
                shutil.rmtree(old, ignore_errors=True)
        log(f"built {name} in {seconds:.0f}s -> {out}")
    return paths


def katib_module_dir() -> Path:
    """The Katib module's directory (read-only) in the Go module cache; downloads it if needed."""
    go = find_go()
    ref = f"{KATIB_MODULE}@{katib_version()}"
    res = subprocess.run(  # noqa: PLW1510 - the exit code is checked below, with the JSON error
        [go, "mod", "download", "-json", ref],
        cwd=WEBHOOK_MODULE,
        env=_go_env(),
        capture_output=True,
        text=True,
    )
    try:
        info = json.loads(res.stdout)
    except json.JSONDecodeError:
        info = {}
    if res.returncode != 0 or not info.get("Dir"):
        raise HarnessError(
            f"go mod download {ref} failed: {info.get('Error') or res.stderr.strip()}"
        )
    return Path(info["Dir"])


def katib_crds(katib_dir: Path) -> list[dict]:
    crds = []
    for f in sorted((katib_dir / KATIB_CRD_DIR).glob("*.yaml")):
        for doc in yaml.safe_load_all(f.read_text()):
            if doc and doc.get("kind") == "CustomResourceDefinition":
                crds.append(doc)
    names = sorted(c["metadata"]["name"] for c in crds)
    expected = ["experiments.kubeflow.org", "suggestions.kubeflow.org", "trials.kubeflow.org"]
    if names != expected:
        raise HarnessError(f"unexpected CRDs in {katib_dir / KATIB_CRD_DIR}: {names}")
    return crds


# --------------------------------------------------------------------------------------------
# Processes and REST


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


def _die_with_parent() -> None:
    """In the child: get SIGKILL when the parent dies (Linux): a killed pytest leaves no orphans."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass


class Process:
    """A child process in its own process group (session), logging to a file."""

    def __init__(
        self, name: str, argv: list[str], log_path: Path, env: dict[str, str] | None = None
    ):
        self.name = name
        self.argv = argv
        self.log_path = log_path
        self._log = open(log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.popen = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env=env,
            preexec_fn=_die_with_parent,  # noqa: PLW1509 - only calls prctl()
        )
        atexit.register(self.stop)

    def alive(self) -> bool:
        return self.popen.poll() is None

    def check_alive(self) -> None:
        if not self.alive():
            raise HarnessError(f"{self.name} exited with {self.popen.returncode}:\n{self.tail()}")

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self, timeout: float = 15) -> None:
        if self._log.closed:
            return
        pgid = self.popen.pid  # start_new_session: the child leads its own group
        for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5)):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, sig)
            try:
                self.popen.wait(wait)
            except subprocess.TimeoutExpired:
                continue
            with contextlib.suppress(ProcessLookupError):  # stray grandchildren, if any
                os.killpg(pgid, signal.SIGKILL)
            break
        self._log.close()


class Rest:
    """Minimal JSON client for the API server (token auth, CA-verified TLS)."""

    def __init__(self, server: str, token: str, ca_file: Path):
        self.server = server
        self.token = token
        self.ctx = ssl.create_default_context(cafile=str(ca_file))

    def request(
        self,
        method: str,
        path: str,
        body: dict | None = None,
        content_type: str = "application/json",
        timeout: float = 30,
    ) -> tuple[int, dict]:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            self.server + path,
            data=data,
            method=method,
            headers={
                "Authorization": f"Bearer {self.token}",
                "Accept": "application/json",
                "Content-Type": content_type,
            },
        )
        try:
            with urllib.request.urlopen(req, context=self.ctx, timeout=timeout) as resp:
                raw = resp.read()
                status = resp.status
        except urllib.error.HTTPError as e:
            raw, status = e.read(), e.code
        try:
            return status, json.loads(raw) if raw else {}
        except json.JSONDecodeError:
            return status, {"raw": raw.decode(errors="replace")}

    def create(self, path: str, body: dict, exist_ok: bool = False) -> dict:
        status, obj = self.request("POST", path, body)
        if status == 201 or (exist_ok and status == 409):
            return obj
        raise HarnessError(f"POST {path} -> {status}: {obj.get('message', obj)}")


def _wait(
    what: str,
    check: Callable[[], bool],
    timeout: float,
    procs: Sequence[Process] = (),
    interval: float = 0.1,
) -> None:
    deadline = time.monotonic() + timeout
    last_err: Exception | None = None
    while time.monotonic() < deadline:
        for p in procs:
            p.check_alive()
        try:
            if check():
                return
        except (OSError, ssl.SSLError, urllib.error.URLError, HarnessError) as e:
            last_err = e
        time.sleep(interval)
    logs = "\n".join(f"--- {p.name} log tail:\n{p.tail()}" for p in procs)
    raise HarnessError(
        f"timed out after {timeout:.0f}s waiting for {what} (last error: {last_err})\n{logs}"
    )


def _loadable(cert: Path) -> bool:
    """The certificate is written and whole (it exists a moment before it is complete)."""
    if not cert.exists():
        return False
    try:
        ssl.create_default_context(cafile=str(cert))
    except (ssl.SSLError, OSError):
        return False
    return True


def _write_signing_key(path: Path) -> None:
    """An RSA key for --service-account-{key,signing-key}-file."""
    if shutil.which("openssl"):
        subprocess.run(
            ["openssl", "genrsa", "-out", str(path), "2048"], check=True, capture_output=True
        )
        return
    try:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa
    except ImportError as e:  # pragma: no cover - both missing is unusual
        raise HarnessError(
            "need `openssl` or the `cryptography` package to create the service-account signing key"
        ) from e
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


# --------------------------------------------------------------------------------------------
# The cluster


@dataclasses.dataclass
class ApiServer:
    """A running etcd + kube-apiserver with Katib's CRDs installed."""

    server: str  #: https://127.0.0.1:PORT
    token: str  #: bearer token of a system:masters user
    kubeconfig: Path
    ca_file: Path
    namespace: str  #: labelled katib.kubeflow.org/metrics-collector-injection=enabled
    workdir: Path
    katib_dir: Path
    etcd_url: str = ""  #: http://127.0.0.1:PORT, etcd's client URL (its v3 JSON gateway too)
    #: seconds: "etcd", "kube-apiserver", "crds", "total" (the fresh start)
    timings: dict[str, float] = dataclasses.field(default_factory=dict)

    def rest(self) -> Rest:
        return Rest(self.server, self.token, self.ca_file)


class Cluster:
    """Starts and stops etcd, kube-apiserver and (optionally) Katib's webhooks."""

    def __init__(
        self,
        workdir: Path,
        binaries: dict[str, Path],
        katib_dir: Path,
        namespace: str = "katib-test",
        log: Log = _default_log,
        *,
        apiserver_args: Sequence[str] = (),
    ):
        self.apiserver_args = list(apiserver_args)  # more kube-apiserver flags (fault tests)
        self.workdir = Path(workdir)
        self.binaries = binaries
        self.katib_dir = katib_dir
        self.namespace = namespace
        self.log = log
        self.procs: list[Process] = []
        self.api: ApiServer | None = None
        self.webhook: KatibWebhooks | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self, ready_timeout: float = 120) -> ApiServer:
        try:
            return self._start(ready_timeout)
        except BaseException:
            self.stop()
            raise

    def _start(self, ready_timeout: float) -> ApiServer:
        wd = self.workdir
        wd.mkdir(parents=True, exist_ok=True)
        t0 = time.monotonic()
        timings: dict[str, float] = {}

        # etcd
        client_port, peer_port = free_port(), free_port()
        client_url = f"http://{LOOPBACK}:{client_port}"
        peer_url = f"http://{LOOPBACK}:{peer_port}"
        etcd = self._spawn(
            "etcd",
            [
                str(self.binaries["etcd"]),
                "--name=test",
                f"--data-dir={wd / 'etcd'}",
                f"--listen-client-urls={client_url}",
                f"--advertise-client-urls={client_url}",
                f"--listen-peer-urls={peer_url}",
                f"--initial-advertise-peer-urls={peer_url}",
                f"--initial-cluster=test={peer_url}",
                "--unsafe-no-fsync",  # test data only
                "--log-level=warn",
            ],
        )

        def etcd_healthy() -> bool:
            with urllib.request.urlopen(f"{client_url}/health", timeout=2) as r:
                return json.loads(r.read()).get("health") == "true"

        _wait("etcd /health", etcd_healthy, ready_timeout, [etcd])
        timings["etcd"] = time.monotonic() - t0

        # kube-apiserver
        token = secrets.token_hex(24)
        (wd / "tokens.csv").write_text(
            f'{token},katib-gitops-admin,katib-gitops-admin,"system:masters"\n'
        )
        sa_key = wd / "sa.key"
        _write_signing_key(sa_key)
        cert_dir = wd / "certs"
        port = free_port()
        server = f"https://{LOOPBACK}:{port}"
        t1 = time.monotonic()
        apiserver = self._spawn(
            "kube-apiserver",
            [
                str(self.binaries["kube-apiserver"]),
                f"--etcd-servers={client_url}",
                f"--bind-address={LOOPBACK}",
                f"--advertise-address={LOOPBACK}",
                f"--secure-port={port}",
                f"--cert-dir={cert_dir}",  # self-signed serving cert, written at start
                f"--token-auth-file={wd / 'tokens.csv'}",
                "--anonymous-auth=false",
                "--authorization-mode=RBAC",
                "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
                f"--service-account-key-file={sa_key}",
                f"--service-account-signing-key-file={sa_key}",
                "--service-cluster-ip-range=10.0.0.0/24",
                # No controller-manager runs, so nothing creates default ServiceAccounts.
                "--disable-admission-plugins=ServiceAccount",
                # The 'kubernetes' Endpoints may not point at a loopback address.
                "--endpoint-reconciler-type=none",
                "--enable-priority-and-fairness=false",
                "--profiling=false",
                *self.apiserver_args,
            ],
        )
        ca_file = cert_dir / "apiserver.crt"  # leaf + its self-signed CA
        _wait(
            "the serving certificate", lambda: _loadable(ca_file), ready_timeout, [etcd, apiserver]
        )
        rest = Rest(server, token, ca_file)

        def ready() -> bool:
            status, _ = rest.request("GET", "/readyz", timeout=5)
            return status == 200

        _wait("kube-apiserver /readyz", ready, ready_timeout, [etcd, apiserver], interval=0.2)
        timings["kube-apiserver"] = time.monotonic() - t1

        kubeconfig = wd / "kubeconfig"
        kubeconfig.write_text(
            yaml.safe_dump(
                {
                    "apiVersion": "v1",
                    "kind": "Config",
                    "clusters": [
                        {
                            "name": "test",
                            "cluster": {"server": server, "certificate-authority": str(ca_file)},
                        }
                    ],
                    "users": [{"name": "admin", "user": {"token": token}}],
                    "contexts": [
                        {
                            "name": "test",
                            "context": {
                                "cluster": "test",
                                "user": "admin",
                                "namespace": self.namespace,
                            },
                        }
                    ],
                    "current-context": "test",
                }
            )
        )
        kubeconfig.chmod(0o600)

        # Katib CRDs, read from the Katib module
        t2 = time.monotonic()
        crds = katib_crds(self.katib_dir)
        for crd in crds:
            rest.create("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd)
        for crd in crds:
            name = crd["metadata"]["name"]

            def established(name: str = name) -> bool:
                status, obj = rest.request(
                    "GET", f"/apis/apiextensions.k8s.io/v1/customresourcedefinitions/{name}"
                )
                conds = {
                    c["type"]: c["status"] for c in obj.get("status", {}).get("conditions", [])
                }
                return status == 200 and conds.get("Established") == "True"

            _wait(f"CRD {name} Established", established, ready_timeout, self.procs)
        plurals = [c["spec"]["names"]["plural"] for c in crds]

        def served() -> bool:
            for plural in plurals:
                if rest.request("GET", f"/apis/kubeflow.org/v1beta1/{plural}?limit=1")[0] != 200:
                    return False
            return True

        _wait("Katib resources served", served, ready_timeout, self.procs)
        timings["crds"] = time.monotonic() - t2

        rest.create(
            "/api/v1/namespaces",
            {
                "apiVersion": "v1",
                "kind": "Namespace",
                "metadata": {"name": self.namespace, "labels": {INJECTION_LABEL: "enabled"}},
            },
        )
        timings["total"] = time.monotonic() - t0
        self.api = ApiServer(
            server=server,
            token=token,
            kubeconfig=kubeconfig,
            ca_file=ca_file,
            namespace=self.namespace,
            workdir=wd,
            katib_dir=self.katib_dir,
            etcd_url=client_url,
            timings={k: round(v, 2) for k, v in timings.items()},
        )
        self.log(
            f"kube-apiserver ready at {server} in {timings['total']:.1f}s "
            f"(etcd {timings['etcd']:.1f}s, apiserver {timings['kube-apiserver']:.1f}s, "
            f"CRDs {timings['crds']:.1f}s)"
        )
        return self.api

    def _spawn(self, name: str, argv: list[str], env: dict[str, str] | None = None) -> Process:
        p = Process(name, argv, self.workdir / f"{name}.log", env=env)
        self.procs.append(p)
        return p

    def stop(self) -> None:
        if self.webhook is not None:
            self.webhook.unregister()
        # reverse order: webhook, kube-apiserver, etcd
        while self.procs:
            self.procs.pop().stop()
        # etcd preallocates 64 MB WAL files; keep only the logs
        shutil.rmtree(self.workdir / "etcd", ignore_errors=True)

    # -- Katib admission webhooks -----------------------------------------------------------

    def start_katib_webhooks(
        self,
        binary: Path,
        namespace: str = "katib-admission",
        ready_timeout: float = 60,
        *,
        namespace_selector: dict[str, str] | None = None,
    ) -> KatibWebhooks:
        """Serve Katib's experiment webhooks and register them for ``namespace`` only, or, with
        ``namespace_selector``, for every namespace carrying those labels (``make cluster``:
        every namespace labelled for Katib's injection)."""
        assert self.api is not None, "start() first"
        rest = self.api.rest()
        t0 = time.monotonic()

        # katib-config, as the katib-standalone install creates it
        rest.create(
            "/api/v1/namespaces",
            {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": KATIB_CONFIG_NAMESPACE}},
            exist_ok=True,
        )
        rest.create(
            f"/api/v1/namespaces/{KATIB_CONFIG_NAMESPACE}/configmaps",
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": "katib-config", "namespace": KATIB_CONFIG_NAMESPACE},
                "data": {"katib-config.yaml": (self.katib_dir / KATIB_CONFIG_FILE).read_text()},
            },
            exist_ok=True,
        )

        port = free_port()
        cert_dir = self.workdir / "webhook-certs"
        env = dict(os.environ, KATIB_CORE_NAMESPACE=KATIB_CONFIG_NAMESPACE)
        proc = self._spawn(
            "katib-webhook",
            [
                str(binary),
                f"--kubeconfig={self.api.kubeconfig}",
                f"--host={LOOPBACK}",
                f"--port={port}",
                f"--cert-dir={cert_dir}",
            ],
            env=env,
        )
        ca_file = cert_dir / "tls.crt"
        base = f"https://{LOOPBACK}:{port}"

        def serving() -> bool:
            if not ca_file.exists():
                return False
            ctx = ssl.create_default_context(cafile=str(ca_file))
            # any HTTP answer (a 404 for "/") shows that TLS and HTTP work
            with (
                contextlib.suppress(urllib.error.HTTPError),
                urllib.request.urlopen(base + "/", context=ctx, timeout=2),
            ):
                pass
            return True

        _wait("katib-webhook serving", serving, ready_timeout, [proc])
        ca_bundle = base64.b64encode(ca_file.read_bytes()).decode()

        rest.create(
            "/api/v1/namespaces",
            {
                "apiVersion": "v1",
                "kind": "Namespace",
                "metadata": {
                    "name": namespace,
                    "labels": {INJECTION_LABEL: "enabled", WEBHOOK_SCOPE_LABEL: "enabled"},
                },
            },
            exist_ok=True,
        )

        # Katib's own webhook configurations, the experiment webhooks only, pointed at our URL and
        # scoped to namespaces carrying WEBHOOK_SCOPE_LABEL.
        name = "katib-gitops-test.katib.kubeflow.org"
        registered = []
        for doc in yaml.safe_load_all((self.katib_dir / KATIB_WEBHOOKS_FILE).read_text()):
            if not doc or doc.get("kind") not in (
                "MutatingWebhookConfiguration",
                "ValidatingWebhookConfiguration",
            ):
                continue
            hooks = []
            for hook in doc["webhooks"]:
                path = hook["clientConfig"]["service"]["path"]
                if not path.endswith("-experiment"):
                    continue  # /mutate-pod is for the controller's metrics-collector sidecar
                hook = dict(hook)  # noqa: PLW2901
                hook["clientConfig"] = {"url": base + path, "caBundle": ca_bundle}
                scope = namespace_selector or {WEBHOOK_SCOPE_LABEL: "enabled"}
                hook["namespaceSelector"] = {"matchLabels": dict(scope)}
                hooks.append(hook)
            plural = doc["kind"].lower() + "s"
            rest.create(
                f"/apis/admissionregistration.k8s.io/v1/{plural}",
                {
                    "apiVersion": "admissionregistration.k8s.io/v1",
                    "kind": doc["kind"],
                    "metadata": {"name": name},
                    "webhooks": hooks,
                },
            )
            registered.append(f"/apis/admissionregistration.k8s.io/v1/{plural}/{name}")

        # The API server picks webhook configurations up asynchronously: wait until a dry-run
        # create of an empty Experiment is denied by Katib's validator.
        probe = {
            "apiVersion": "kubeflow.org/v1beta1",
            "kind": "Experiment",
            "metadata": {"name": "webhook-probe", "namespace": namespace},
            "spec": {},
        }

        def denied() -> bool:
            status, obj = rest.request(
                "POST",
                f"/apis/kubeflow.org/v1beta1/namespaces/{namespace}/experiments?dryRun=All",
                probe,
            )
            return status >= 400 and "admission webhook" in obj.get("message", "")

        _wait(
            "Katib webhooks in the admission chain", denied, ready_timeout, self.procs, interval=0.2
        )
        self.webhook = KatibWebhooks(
            url=base,
            namespace=namespace,
            ca_file=ca_file,
            startup_seconds=round(time.monotonic() - t0, 2),
            _rest=rest,
            _registered=registered,
        )
        scope = (
            f"namespaces labelled {namespace_selector}"
            if namespace_selector
            else f"namespace {namespace}"
        )
        self.log(f"Katib webhooks at {base} for {scope} in {self.webhook.startup_seconds:.1f}s")
        return self.webhook


@dataclasses.dataclass
class KatibWebhooks:
    url: str
    namespace: str  #: experiments here go through Katib's mutating and validating webhooks
    ca_file: Path
    startup_seconds: float
    _rest: Rest
    _registered: list[str]

    def unregister(self) -> None:
        for path in self._registered:
            with contextlib.suppress(Exception):
                self._rest.request("DELETE", path, timeout=5)
        self._registered = []


@contextlib.contextmanager
def running_cluster(
    workdir: Path, webhook: bool = False, log: Log = _default_log
) -> Iterator[Cluster]:
    """Build (if needed), start and finally stop a cluster."""
    binaries = build("build", log=log)
    webhook_bin = build("webhook", log=log)["katib-webhook"] if webhook else None
    cluster = Cluster(workdir, binaries, katib_module_dir(), log=log)
    cluster.start()
    try:
        if webhook_bin is not None:
            cluster.start_katib_webhooks(webhook_bin)
        yield cluster
    finally:
        cluster.stop()


# --------------------------------------------------------------------------------------------
# CLI


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build", help="build (or reuse) the binaries")
    b.add_argument("--webhook", action="store_true", help="also build katib-webhook")
    u = sub.add_parser("up", help="run etcd + kube-apiserver (+ webhooks) until Ctrl-C")
    u.add_argument("--webhook", action="store_true", help="also serve Katib's experiment webhooks")
    u.add_argument("--workdir", type=Path, help="default: a new temporary directory")
    args = ap.parse_args(argv)

    if args.cmd == "build":
        for name in ["build"] + (["webhook"] if args.webhook else []):
            for binary, path in build(name).items():
                print(f"{binary}: {path}")
        print(f"katib module: {katib_module_dir()}")
        return 0

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="katib-gitops-apiserver-"))
    with contextlib.ExitStack() as stack:
        if args.workdir is None:
            stack.callback(shutil.rmtree, workdir, ignore_errors=True)
        cluster = stack.enter_context(running_cluster(workdir, webhook=args.webhook))
        assert cluster.api is not None
        print(f"KUBECONFIG={cluster.api.kubeconfig}")
        print(
            f"namespace: {cluster.api.namespace}"
            + (f"; webhook namespace: {cluster.webhook.namespace}" if cluster.webhook else "")
        )
        print("Ctrl-C to stop", flush=True)
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        signal.sigwait({signal.SIGINT, signal.SIGTERM})
        print("stopping", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
