"""`KubeCluster` against the real kube-apiserver: every method of the `Cluster` protocol, the
connection settings (and bad ones), and credentials kept out of messages and logs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from compiler.cli import main as cli_main
from compiler.cluster import kubeconfig as settings
from compiler.cluster.api import FIELD_MANAGER, WatchEvent
from compiler.cluster.client import KubeCluster, connect
from compiler.cluster.errors import (
    ClusterError,
    ConfigError,
    Conflict,
    Expired,
    Forbidden,
    Invalid,
    NotFound,
    Unauthorized,
    Unreachable,
)
from compiler.cluster.kinds import CONFIGMAP, EXPERIMENT, NAMESPACE, Kind
from tests.cluster.conftest import (
    RUN_LABEL,
    FakeSleep,
    assert_no_secret,
    configmap,
    experiment,
    fast_retry,
    louder,
    names,
    unique,
)
from tools.devcluster import harness

pytestmark = pytest.mark.apiserver

ROOT = Path(__file__).resolve().parents[2]
NOT_THERE = Kind("nothere.example.com", "v1", "NotHere", "notheres")


# -- reads ------------------------------------------------------------------------------------


def test_list_is_one_request_whatever_the_number_of_objects(kube: KubeCluster, namespace: str):
    run = unique("run")
    for i in range(25):
        kube.create(configmap(f"cm-{i:02d}", namespace, {"i": str(i)}, run))
    before = kube.requests
    listing = kube.list(CONFIGMAP, namespace, label_selector=f"{RUN_LABEL}={run}")
    assert kube.requests == before + 1
    assert names(listing.items) == [f"cm-{i:02d}" for i in range(25)]
    assert int(listing.resource_version) > 0
    assert all(i["kind"] == "ConfigMap" and i["apiVersion"] == "v1" for i in listing.items)

    before = kube.requests
    paged = kube.list(CONFIGMAP, namespace, label_selector=f"{RUN_LABEL}={run}", chunk_size=10)
    assert kube.requests == before + 3  # 10 + 10 + 5
    assert names(paged.items) == names(listing.items)

    everywhere = kube.list(CONFIGMAP, None, label_selector=f"{RUN_LABEL}={run}")
    assert names(everywhere.items) == names(listing.items)
    assert kube.list(CONFIGMAP, namespace, field_selector="metadata.name=cm-07").items[0][
        "data"
    ] == {"i": "7"}


def test_get_of_a_missing_object_is_none(kube: KubeCluster, namespace: str):
    assert kube.get(CONFIGMAP, namespace, "nothing-here") is None
    assert kube.get(EXPERIMENT, namespace, "nothing-here") is None
    assert kube.get(CONFIGMAP, "no-such-namespace", "x") is None
    assert kube.get(NAMESPACE, None, "no-such-namespace") is None
    kube.create(configmap("here", namespace, {"a": "1"}))
    got = kube.get(CONFIGMAP, namespace, "here")
    assert got is not None
    assert got["data"] == {"a": "1"}


def test_a_missing_resource_type_is_not_found_with_a_hint(kube: KubeCluster, namespace: str):
    with pytest.raises(NotFound) as err:
        kube.get(NOT_THERE, namespace, "x")
    assert err.value.object == f"NotHere/{namespace}/x"
    assert "does not serve nothere.example.com/v1 notheres" in str(err.value)
    assert "CustomResourceDefinition" in err.value.hint
    with pytest.raises(NotFound):
        kube.list(NOT_THERE, namespace)
    # a Katib CRD the cluster lacks (this version of it) names Katib's CRDs (reference §0.1)
    with pytest.raises(NotFound) as err:
        kube.list(Kind("kubeflow.org", "v1alpha9", "Experiment", "experiments"), namespace)
    assert "install Katib's CRDs" in err.value.hint
    assert err.value.exit_code == 3


def test_create_in_a_missing_namespace_says_so(kube: KubeCluster):
    with pytest.raises(NotFound) as err:
        kube.create(configmap("x", "no-such-namespace", {}))
    assert 'namespaces "no-such-namespace" not found' in str(err.value)
    assert err.value.hint == "create the namespace no-such-namespace first"


# -- apply, create, dry runs -----------------------------------------------------------------


def test_server_side_apply_twice_changes_nothing(kube: KubeCluster, namespace: str):
    exp = experiment("ssa", namespace)
    first = kube.apply(exp)
    again = kube.apply(exp)
    assert again["metadata"]["resourceVersion"] == first["metadata"]["resourceVersion"]
    assert again["metadata"]["generation"] == 1
    managers = {(m["manager"], m["operation"]) for m in again["metadata"]["managedFields"]}
    assert (FIELD_MANAGER, "Apply") in managers
    changed = kube.apply(experiment("ssa", namespace, max_trials=9))
    assert changed["spec"]["maxTrialCount"] == 9
    assert changed["metadata"]["resourceVersion"] != first["metadata"]["resourceVersion"]


def test_apply_conflict_with_another_manager_is_not_retried(
    kube: KubeCluster, apiserver: harness.ApiServer, namespace: str
):
    exp = experiment("owned", namespace)
    status, _ = apiserver.rest().request(
        "PATCH",
        EXPERIMENT.path(namespace, "owned") + "?fieldManager=someone-else",
        exp,
        content_type="application/apply-patch+yaml",
    )
    assert status == 201
    before = kube.requests
    with pytest.raises(Conflict) as err:
        kube.apply(experiment("owned", namespace, max_trials=9))
    assert kube.requests == before + 1
    assert 'conflict with "someone-else"' in str(err.value)
    assert err.value.object == f"Experiment/{namespace}/owned"
    forced = kube.apply(experiment("owned", namespace, max_trials=9), force=True)
    assert forced["spec"]["maxTrialCount"] == 9


def test_dry_runs_leave_nothing(kube: KubeCluster, namespace: str):
    applied = kube.apply(experiment("dry-apply", namespace), dry_run=True)
    assert applied["metadata"]["name"] == "dry-apply"
    created = kube.create(configmap("dry-create", namespace, {"a": "1"}), dry_run=True)
    assert created["data"] == {"a": "1"}
    assert kube.get(EXPERIMENT, namespace, "dry-apply") is None
    assert kube.get(CONFIGMAP, namespace, "dry-create") is None
    kube.create(configmap("kept", namespace, {"a": "1"}))
    assert kube.delete(CONFIGMAP, namespace, "kept", dry_run=True) is True
    assert kube.get(CONFIGMAP, namespace, "kept") is not None


def test_create_of_an_existing_object_is_a_conflict_at_once(kube: KubeCluster, namespace: str):
    kube.create(configmap("twice", namespace, {}))
    before = kube.requests
    with pytest.raises(Conflict) as err:
        kube.create(configmap("twice", namespace, {}))
    assert err.value.reason == "AlreadyExists"
    assert kube.requests == before + 1


def test_invalid_object_is_invalid_and_not_retried(kube: KubeCluster, namespace: str):
    before = kube.requests
    with pytest.raises(Invalid) as err:
        kube.create(configmap("Not_A_Name", namespace, {}))
    assert err.value.status == 422
    assert "Not_A_Name" in str(err.value)
    with pytest.raises(Invalid) as err:
        kube.list(CONFIGMAP, namespace, label_selector="a in (")
    assert err.value.status == 400
    assert kube.requests == before + 2


# -- status, patches, deletes ------------------------------------------------------------------


def test_replace_status_guarded_by_resource_version(kube: KubeCluster, namespace: str):
    live = kube.create(experiment("status", namespace))
    live["status"] = {"conditions": [{"type": "Created", "status": "True"}], "trials": 0}
    updated = kube.replace_status(live)
    assert updated["status"]["trials"] == 0
    assert updated["metadata"]["generation"] == live["metadata"]["generation"]  # spec untouched
    before = kube.requests
    with pytest.raises(Conflict) as err:
        kube.replace_status(live)  # live's resourceVersion is stale now
    assert kube.requests == before + 1  # never retried: the caller must read again
    assert err.value.status == 409
    assert "the object has been modified" in str(err.value)
    with pytest.raises(ValueError, match="no resourceVersion"):
        kube.replace_status(experiment("status", namespace))


def test_patches(kube: KubeCluster, namespace: str):
    kube.create(experiment("patched", namespace))
    merged = kube.patch(EXPERIMENT, namespace, "patched", {"spec": {"maxTrialCount": 7}})
    assert merged["spec"]["maxTrialCount"] == 7
    ops = [{"op": "replace", "path": "/spec/parallelTrialCount", "value": 1}]
    jsoned = kube.patch(EXPERIMENT, namespace, "patched", ops, patch_type="json")
    assert jsoned["spec"]["parallelTrialCount"] == 1
    status = {"status": {"trials": 3}}
    on_status = kube.patch(EXPERIMENT, namespace, "patched", status, subresource="status")
    assert on_status["status"] == {"trials": 3}
    kube.create(configmap("smp", namespace, {"a": "1"}))
    smp = kube.patch(CONFIGMAP, namespace, "smp", {"data": {"b": "2"}}, patch_type="strategic")
    assert smp["data"] == {"a": "1", "b": "2"}
    with pytest.raises(ValueError, match="list of operations"):
        kube.patch(EXPERIMENT, namespace, "patched", {"spec": {}}, patch_type="json")
    with pytest.raises(NotFound):
        kube.patch(EXPERIMENT, namespace, "absent", {"spec": {}})


def test_delete_with_uid_precondition(kube: KubeCluster, namespace: str):
    live = kube.create(configmap("doomed", namespace, {}))
    before = kube.requests
    with pytest.raises(Conflict) as err:
        kube.delete(CONFIGMAP, namespace, "doomed", uid="00000000-0000-0000-0000-000000000000")
    assert kube.requests == before + 1
    assert "does not match the UID in record" in str(err.value)
    assert kube.get(CONFIGMAP, namespace, "doomed") is not None
    assert kube.delete(CONFIGMAP, namespace, "doomed", uid=live["metadata"]["uid"]) is True
    assert kube.get(CONFIGMAP, namespace, "doomed") is None
    assert kube.delete(CONFIGMAP, namespace, "doomed") is False  # already gone
    assert kube.delete(EXPERIMENT, namespace, "never-was", uid="x") is False


# -- watch --------------------------------------------------------------------------------------


def test_watch_gives_events_and_bookmarks(kube: KubeCluster, namespace: str):
    start = kube.list(CONFIGMAP, namespace)
    stream = kube.watch(CONFIGMAP, namespace, start.resource_version, timeout_seconds=4)
    created = kube.create(configmap("watched", namespace, {"a": "1"}))
    kube.patch(CONFIGMAP, namespace, "watched", {"data": {"a": "2"}})
    kube.delete(CONFIGMAP, namespace, "watched", uid=created["metadata"]["uid"])
    events: list[WatchEvent] = list(stream)
    changes = [(e.type, e.object["metadata"]["name"]) for e in events if e.type != "BOOKMARK"]
    assert changes == [("ADDED", "watched"), ("MODIFIED", "watched"), ("DELETED", "watched")]
    assert events[1].object["data"] == {"a": "2"}
    assert events[0].object["kind"] == "ConfigMap"
    # the watch cache sends a bookmark 2 s before the watch's deadline (allowWatchBookmarks)
    bookmarks = [e for e in events if e.type == "BOOKMARK"]
    assert bookmarks
    assert int(bookmarks[-1].resource_version) >= int(events[2].resource_version)


# -- connecting ---------------------------------------------------------------------------------


KEEP: Any = object()


def write_kubeconfig(
    path: Path, apiserver: harness.ApiServer, *, current: str | None = KEEP, **changes: Any
) -> Path:
    """The API server's kubeconfig with sections replaced (None drops one); `current` is its
    current-context."""
    config = yaml.safe_load(apiserver.kubeconfig.read_text())
    if current is not KEEP:
        changes["current-context"] = current
    for key, value in changes.items():
        if value is None:
            config.pop(key, None)
        else:
            config[key] = value
    path.write_text(yaml.safe_dump(config))
    return path


def contexts(**namespaces: str) -> list[Any]:
    """Contexts on the kubeconfig's cluster and user, each with its namespace."""
    return [
        {"name": name, "context": {"cluster": "test", "user": "admin", "namespace": namespace}}
        for name, namespace in namespaces.items()
    ]


@pytest.fixture()
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No KUBECONFIG, no service account, and an empty home."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for var in ("KUBECONFIG", "KUBERNETES_SERVICE_HOST", "KUBERNETES_SERVICE_PORT"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(settings, "SERVICE_ACCOUNT_DIR", tmp_path / "no-service-account")
    return home


def test_precedence_explicit_then_env_then_home_then_in_cluster(
    apiserver: harness.ApiServer, clean_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    def config(name: str, namespace: str) -> Path:
        path = tmp_path / f"{name}.kubeconfig"
        return write_kubeconfig(
            path, apiserver, contexts=contexts(**{name: namespace}), current=name
        )

    explicit, env, home = config("explicit", "ns-a"), config("env", "ns-b"), config("home", "ns-c")
    (clean_env / ".kube").mkdir()
    shutil.copy(home, clean_env / ".kube" / "config")
    monkeypatch.setenv("KUBECONFIG", f"{tmp_path / 'absent'}{os.pathsep}{env}")
    assert connect(str(explicit)).context == "explicit"
    assert connect().context == "env"
    monkeypatch.delenv("KUBECONFIG")
    cluster = connect()
    assert (cluster.context, cluster.namespace) == ("home", "ns-c")
    assert cluster.get(NAMESPACE, None, "default") is not None

    (clean_env / ".kube" / "config").unlink()
    sa = tmp_path / "serviceaccount"
    sa.mkdir()
    (sa / "token").write_text(apiserver.token)
    shutil.copy(apiserver.ca_file, sa / "ca.crt")
    (sa / "namespace").write_text("katib-test\n")
    monkeypatch.setattr(settings, "SERVICE_ACCOUNT_DIR", sa)
    monkeypatch.setenv("KUBERNETES_SERVICE_HOST", "127.0.0.1")
    monkeypatch.setenv("KUBERNETES_SERVICE_PORT", apiserver.server.rsplit(":", 1)[1])
    pod = connect()
    assert (pod.context, pod.namespace, pod.server) == (
        "in-cluster",
        "katib-test",
        apiserver.server,
    )
    assert pod.get(NAMESPACE, None, "katib-test") is not None


def test_kubeconfig_merge_first_file_wins(apiserver: harness.ApiServer, tmp_path: Path):
    """$KUBECONFIG's files merge as kubectl merges them: the first to name an entry, or to set
    current-context, wins."""
    a = write_kubeconfig(tmp_path / "a", apiserver, contexts=contexts(x="a"), current=None)
    b = write_kubeconfig(
        tmp_path / "b", apiserver, contexts=contexts(x="b", other="o"), current="other"
    )
    merged = settings.read([a, b])
    assert settings.select(merged, None, "a, b").namespace == "o"  # only b sets current-context
    assert settings.select(merged, "x", "a, b").namespace == "a"
    c = write_kubeconfig(tmp_path / "c", apiserver, contexts=contexts(x="c"), current="x")
    assert settings.select(settings.read([c, b]), None, "c, b").context == "x"


def test_relative_certificate_path_is_read_from_the_kubeconfig_folder(
    apiserver: harness.ApiServer, tmp_path: Path
):
    folder = tmp_path / "conf"
    folder.mkdir()
    shutil.copy(apiserver.ca_file, folder / "ca.crt")
    cluster = {
        "name": "test",
        "cluster": {"server": apiserver.server, "certificate-authority": "ca.crt"},
    }
    path = write_kubeconfig(folder / "config", apiserver, clusters=[cluster])
    assert connect(str(path)).get(NAMESPACE, None, "default") is not None


def config_error(exc: pytest.ExceptionInfo[ConfigError]) -> str:
    assert exc.value.exit_code == 2
    assert exc.value.hint
    return str(exc.value)


def test_no_kubeconfig_anywhere(clean_env: Path):
    with pytest.raises(ConfigError) as err:
        connect()
    assert "no kubeconfig" in config_error(err)
    assert "--kubeconfig" in err.value.hint


def test_missing_kubeconfig(tmp_path: Path, clean_env: Path, monkeypatch: pytest.MonkeyPatch):
    with pytest.raises(ConfigError) as err:
        connect(str(tmp_path / "absent"))
    assert f"kubeconfig {tmp_path / 'absent'} does not exist" == config_error(err)
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "absent-too"))
    with pytest.raises(ConfigError) as err:
        connect()
    assert "none of the files in $KUBECONFIG exist" in config_error(err)


def test_kubeconfig_that_is_a_folder(tmp_path: Path):
    with pytest.raises(ConfigError) as err:
        connect(str(tmp_path))
    assert "is a folder" in str(err.value)


def test_unreadable_kubeconfig(apiserver: harness.ApiServer, tmp_path: Path):
    path = write_kubeconfig(tmp_path / "locked", apiserver)
    path.chmod(0)
    if os.geteuid() != 0:
        with pytest.raises(ConfigError) as err:
            connect(str(path))
        assert "Permission denied" in config_error(err)
        return
    # root reads any file: run the check without the capabilities that let it
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: cannot make a file unreadable")
    code = (
        "from compiler.cluster.client import connect\n"
        "from compiler.cluster.errors import ConfigError\n"
        f"try:\n    connect({str(path)!r})\nexcept ConfigError as e:\n    print(e, '|', e.hint)\n"
    )
    out = subprocess.run(
        ["setpriv", "--bounding-set=-dac_override,-dac_read_search", sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.strip() == f"cannot read {path}: Permission denied | check the file's permissions"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (b"clusters: [unclosed\n", "is not YAML"),
        (b"\xff\xfe garbage \x00\x01", "is not YAML"),
        (b"- just\n- a list\n", "is not a kubeconfig"),
        (b"hello: world\n", "is not a kubeconfig"),
        (b"", "is not a kubeconfig"),
        (b"clusters: {a: 1}\n", "clusters must be a list of named entries"),
        (b"contexts:\n- context: {}\n", "contexts must be a list of named entries"),
    ],
)
def test_garbage_kubeconfig(tmp_path: Path, text: bytes, words: str):
    path = tmp_path / "config"
    path.write_bytes(text)
    with pytest.raises(ConfigError) as err:
        connect(str(path))
    assert words in config_error(err)
    assert str(path) in str(err.value)


def test_unknown_context(apiserver: harness.ApiServer):
    with pytest.raises(ConfigError) as err:
        connect(str(apiserver.kubeconfig), "prod")
    assert "no context 'prod' in" in config_error(err)
    assert err.value.hint == "pick one of: test (--context)"


def test_no_current_context(apiserver: harness.ApiServer, tmp_path: Path):
    path = write_kubeconfig(tmp_path / "config", apiserver, current=None)
    with pytest.raises(ConfigError) as err:
        connect(str(path))
    assert "has no current-context" in config_error(err)
    assert connect(str(path), "test").context == "test"


def test_context_naming_a_missing_cluster(apiserver: harness.ApiServer, tmp_path: Path):
    contexts = [{"name": "test", "context": {"cluster": "gone", "user": "admin"}}]
    path = write_kubeconfig(tmp_path / "config", apiserver, contexts=contexts)
    with pytest.raises(ConfigError) as err:
        connect(str(path))
    assert "names cluster 'gone'" in config_error(err)


@pytest.mark.parametrize(
    ("cluster", "words"),
    [
        ({"server": "127.0.0.1:6443"}, "has no usable server: '127.0.0.1:6443'"),
        ({"server": ""}, "has no usable server"),
        (
            {"server": "https://127.0.0.1:6443", "certificate-authority": "missing-ca.crt"},
            "the certificate-authority of context 'test'",
        ),
        (
            {"server": "https://127.0.0.1:6443", "proxy-url": "gopher://proxy:70"},
            "cannot use the connection settings",
        ),
    ],
)
def test_kubeconfig_pointing_at_nothing(
    apiserver: harness.ApiServer, tmp_path: Path, cluster: dict[str, str], words: str
):
    path = write_kubeconfig(
        tmp_path / "config", apiserver, clusters=[{"name": "test", "cluster": cluster}]
    )
    with pytest.raises(ConfigError) as err:
        connect(str(path))
    assert words in config_error(err)


def test_in_cluster_without_a_token(clean_env: Path, monkeypatch: pytest.MonkeyPatch, tmp_path):
    sa = tmp_path / "sa"
    sa.mkdir()
    monkeypatch.setattr(settings, "SERVICE_ACCOUNT_DIR", sa)
    monkeypatch.setenv("KUBERNETES_SERVICE_HOST", "10.0.0.1")
    monkeypatch.setenv("KUBERNETES_SERVICE_PORT", "443")
    with pytest.raises(ConfigError) as err:
        connect()
    assert f"service account token {sa / 'token'} is missing" in config_error(err)
    assert "automountServiceAccountToken" in err.value.hint


def closed_port_kubeconfig(apiserver: harness.ApiServer, tmp_path: Path) -> Path:
    server = f"https://127.0.0.1:{harness.free_port()}"  # nothing listens there
    clusters = [
        {
            "name": "test",
            "cluster": {"server": server, "certificate-authority": str(apiserver.ca_file)},
        }
    ]
    return write_kubeconfig(tmp_path / "closed", apiserver, clusters=clusters)


def test_unreachable_server_after_the_retries(apiserver: harness.ApiServer, tmp_path: Path):
    seen: list[tuple[str, int]] = []
    sleep = FakeSleep()
    cluster = connect(
        str(closed_port_kubeconfig(apiserver, tmp_path)),
        retry=fast_retry(4, sleep),
        on_request=lambda verb, code: seen.append((verb, code)),
    )
    with pytest.raises(Unreachable) as err:
        cluster.list(EXPERIMENT, "katib-test")
    assert cluster.requests == 4
    assert seen == [("list", 0)] * 4
    assert len(sleep.waits) == 3
    assert "no answer after 4 attempts" in str(err.value)
    assert "cannot connect" in str(err.value)
    assert err.value.object == "Experiment/katib-test"
    assert err.value.hint == "is the cluster running? check --kubeconfig and --context"
    # a write that never reached the server is retried too, whatever its verb
    with pytest.raises(Unreachable):
        cluster.delete(CONFIGMAP, "katib-test", "x")
    assert cluster.requests == 8


def test_untrusted_certificate_is_terminal(apiserver: harness.ApiServer, tmp_path: Path):
    other_ca = tmp_path / "other.crt"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", str(tmp_path / "k"), "-out", str(other_ca), "-days", "1",
         "-subj", "/CN=other"],
        check=True, capture_output=True,
    )  # fmt: skip
    clusters = [
        {
            "name": "test",
            "cluster": {"server": apiserver.server, "certificate-authority": str(other_ca)},
        }
    ]
    path = write_kubeconfig(tmp_path / "config", apiserver, clusters=clusters)
    cluster = connect(str(path), retry=fast_retry(4))
    with pytest.raises(ClusterError) as err:
        cluster.get(NAMESPACE, None, "default")
    assert cluster.requests == 1
    assert "certificate is not trusted" in str(err.value)
    assert "certificate-authority" in err.value.hint


@pytest.mark.parametrize("case", ["missing", "garbage", "context", "unreachable"])
def test_bad_connections_through_the_cli_are_messages(
    case: str,
    apiserver: harness.ApiServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
):
    """The CLI prints `katib-gitops: <message>` and a hint, and exits 2 (settings) or 3
    (cluster): no traceback. The plan command's own options carry --kubeconfig/--context."""
    from compiler.cli import plan

    garbage = tmp_path / "garbage"
    garbage.write_text("::: not yaml {")
    kubeconfig, context, code = {
        "missing": (str(tmp_path / "absent"), None, 2),
        "garbage": (str(garbage), None, 2),
        "context": (str(apiserver.kubeconfig), "prod", 2),
        "unreachable": (str(closed_port_kubeconfig(apiserver, tmp_path)), None, 3),
    }[case]

    def run(args: Any) -> int:
        connect(args.kubeconfig, args.context, retry=fast_retry(2)).list(EXPERIMENT)
        return 0

    monkeypatch.setattr(plan, "run", run)
    argv = ["plan", "--kubeconfig", kubeconfig] + (["--context", context] if context else [])
    assert cli_main(argv) == code
    err = capsys.readouterr().err
    assert err.startswith("katib-gitops: ")
    assert "\n    hint: " in err
    assert "Traceback" not in err


def test_importing_the_client_does_not_import_kubernetes():
    code = (
        "import sys, compiler.cluster.client\n"
        "print(sorted(m for m in ('kubernetes', 'urllib3') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


# -- credentials stay out of messages and logs ----------------------------------------------


def test_401_names_no_token(
    apiserver: harness.ApiServer, tmp_path: Path, loud: pytest.LogCaptureFixture, capsys
):
    secret = "wrong-token-0123456789abcdef"
    users = [{"name": "admin", "user": {"token": secret}}]
    cluster = connect(str(write_kubeconfig(tmp_path / "config", apiserver, users=users)))
    louder(loud)
    with pytest.raises(Unauthorized) as err:
        cluster.get(EXPERIMENT, "katib-test", "x")
    assert err.value.status == 401
    assert "refresh the token" in err.value.hint
    out = capsys.readouterr()
    assert_no_secret(secret, err.value, loud.text, out.out, out.err, repr(cluster))
    assert "GET /apis/kubeflow.org" in loud.text  # urllib3 did log the request, without it


def service_account_token(apiserver: harness.ApiServer, name: str) -> str:
    """A token for a ServiceAccount that no RBAC rule lets do anything (TokenRequest API)."""
    rest = apiserver.rest()
    ns = apiserver.namespace
    body = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": name}}
    rest.create(f"/api/v1/namespaces/{ns}/serviceaccounts", body)
    request = {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": {}}
    answer = rest.create(f"/api/v1/namespaces/{ns}/serviceaccounts/{name}/token", request)
    return str(answer["status"]["token"])


def test_403_names_no_token(
    apiserver: harness.ApiServer, tmp_path: Path, loud: pytest.LogCaptureFixture, capsys
):
    name = unique("nobody")
    secret = service_account_token(apiserver, name)
    users = [{"name": "admin", "user": {"token": secret}}]
    cluster = connect(str(write_kubeconfig(tmp_path / "config", apiserver, users=users)))
    louder(loud)
    with pytest.raises(Forbidden) as err:
        cluster.list(EXPERIMENT, "katib-test")
    assert f'"system:serviceaccount:katib-test:{name}" cannot list resource "experiments"' in str(
        err.value
    )
    assert "RBAC" in err.value.hint
    out = capsys.readouterr()
    assert_no_secret(secret, err.value, loud.text, out.out, out.err)


def test_katib_webhook_denial_keeps_katibs_words(
    kube: KubeCluster, katib_webhooks: harness.KatibWebhooks
):
    bad = experiment("too-parallel", katib_webhooks.namespace, max_trials=1)  # parallel 2 > 1
    with pytest.raises(Invalid) as err:
        kube.apply(bad, dry_run=True)
    text = str(err.value)
    assert text.startswith(f"Experiment/{katib_webhooks.namespace}/too-parallel: ")
    assert 'admission webhook "validator.experiment.katib.kubeflow.org" denied the request' in text
    # reference §3.2 V-6
    assert "spec.parallelTrialCount" in text
    assert "should be less than or equal to spec.maxTrialCount" in text
    assert "katib-gitops admit" in err.value.hint
    assert kube.apply(experiment("fine", katib_webhooks.namespace), dry_run=True)


def test_time_of_one_large_list(kube: KubeCluster, namespace: str, capsys):
    """Not a timing assertion: the figure goes to the test's output for the record."""
    for i in range(300):
        kube.create(experiment(f"big-{i:03d}", namespace))
    before = kube.requests
    t = time.perf_counter()
    listing = kube.list(EXPERIMENT, namespace)
    seconds = time.perf_counter() - t
    assert len(listing.items) == 300
    assert kube.requests == before + 1
    size = len(json.dumps(list(listing.items)))
    with capsys.disabled():
        print(f"\n[client] LIST of 300 Experiments ({size / 1e6:.1f} MB): {seconds * 1000:.0f} ms")


# -- the pure parts: watch lines and the API server's Status -----------------------------------


def test_watch_lines_split_and_joined_across_chunks():
    from compiler.cluster.watch import lines

    chunks = [b'{"a"', b":1}\n{", b'"b":2}\n{"c":3}\n', b"", b'{"d":4}']
    assert list(lines(chunks)) == [b'{"a":1}', b'{"b":2}', b'{"c":3}', b'{"d":4}']


def test_watch_events_decoded():
    from compiler.cluster import errors
    from compiler.cluster.watch import decode, events

    added = b'{"type":"ADDED","object":{"metadata":{"name":"a","resourceVersion":"5"}}}\n'
    bookmark = (
        b'{"type":"BOOKMARK","object":{"kind":"ConfigMap","metadata":{"resourceVersion":"9"}}}'
    )
    got = list(events([added, b"\n", bookmark], CONFIGMAP, "ns"))
    assert [(e.type, e.resource_version) for e in got] == [("ADDED", "5"), ("BOOKMARK", "9")]
    assert got[0].object["kind"] == "ConfigMap"
    assert got[0].object["apiVersion"] == "v1"
    gone = (
        b'{"type":"ERROR","object":{"kind":"Status","code":410,"reason":"Expired",'
        b'"message":"too old resource version: 1 (99)"}}'
    )
    with pytest.raises(Expired) as err:
        decode(gone, CONFIGMAP, "ns")
    assert str(err.value) == "ConfigMap/ns: too old resource version: 1 (99)"
    internal = b'{"type":"ERROR","object":{"kind":"Status","code":500,"message":"etcd"}}'
    for line in (internal, b"not json", b'{"type":"WHAT","object":{}}', b"[1]"):
        with pytest.raises(errors.Transient):
            decode(line, CONFIGMAP, "ns")


@pytest.mark.parametrize(
    ("code", "error", "retry_after"),
    [
        (400, Invalid, None),
        (401, Unauthorized, None),
        (403, Forbidden, None),
        (404, NotFound, None),
        (409, Conflict, None),
        (410, Expired, None),
        (422, Invalid, None),
        (429, "Transient", 3.0),
        (500, "Transient", None),
        (503, "Transient", 3.0),
        (418, "Terminal", None),
    ],
)
def test_status_codes_map_to_the_error_tree(code, error, retry_after):
    from compiler.cluster import errors
    from compiler.cluster.apistatus import error_for

    body = json.dumps(
        {"kind": "Status", "code": code, "message": "the server's words", "reason": "R"}
    ).encode()
    err = error_for(code, body, EXPERIMENT, "ns", "exp", retry_after=3.0)
    expected = getattr(errors, error) if isinstance(error, str) else error
    assert type(err) is expected
    assert str(err) == "Experiment/ns/exp: the server's words"
    assert (err.status, err.reason, err.retry_after) == (code, "R", retry_after)


def test_status_details_and_plain_bodies():
    from compiler.cluster.apistatus import MAX_MESSAGE, error_for

    body = b'{"kind":"Status","code":429,"message":"slow down","details":{"retryAfterSeconds":7}}'
    assert error_for(429, body, EXPERIMENT, "ns", "e").retry_after == 7.0
    plain = error_for(502, b"<html>Bad Gateway</html>", EXPERIMENT, "ns", "e")
    assert plain.message == "<html>Bad Gateway</html>"
    assert error_for(500, b"", EXPERIMENT, "ns", "e", http_reason="Oops").message == "HTTP 500 Oops"
    long = error_for(400, b"x" * (MAX_MESSAGE + 50), EXPERIMENT, "ns", "e")
    assert long.message.endswith(" [...]")
    assert len(long.message) == MAX_MESSAGE + len(" [...]")
