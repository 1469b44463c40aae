"""The Python-spec sandbox, against hostile specs (tests/unit/python_specs/hostile/), run in
real subprocesses. Each hostile spec is copied into a temporary specs/<namespace>/ folder, so
that whatever gets through would land there (and the test would see it), never in the repo.

Containment is in layers; besides the default (all of them), some tests switch the audit hook
off to show that the kernel's layers (Landlock, seccomp, resource limits) hold on their own.
"""

from __future__ import annotations

import io
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from compiler.errors import InputError
from compiler.load.python_spec import SandboxLimits, SpecRun, run_python_spec
from compiler.load.specs import SpecFile
from compiler.model.source import Location

HOSTILE = Path(__file__).parent / "python_specs" / "hostile"
ALL_LAYERS = SandboxLimits()
KERNEL_ONLY = SandboxLimits(audit_hook=False)
HANG_GUARD = 60  # seconds; a test that needs the timeout itself sets a short one


def place(tmp_path: Path, fixture: str) -> SpecFile:
    """Copy a hostile fixture to <tmp>/specs/ns/ as a spec file of a repository at <tmp>."""
    folder = tmp_path / "specs" / "ns"
    folder.mkdir(parents=True, exist_ok=True)
    name = fixture.removesuffix(".txt")
    shutil.copy(HOSTILE / fixture, folder / name)
    return SpecFile(folder / name, f"specs/ns/{name}", "ns")


def run(
    spec: SpecFile, limits: SandboxLimits = ALL_LAYERS, timeout: float = HANG_GUARD
) -> tuple[SpecRun, str]:
    echo = io.StringIO()
    return run_python_spec(spec, timeout=timeout, limits=limits, echo=echo), echo.getvalue()


def failure(
    spec: SpecFile, limits: SandboxLimits = ALL_LAYERS, timeout: float = HANG_GUARD
) -> InputError:
    with pytest.raises(InputError) as info:
        run_python_spec(spec, timeout=timeout, limits=limits, echo=io.StringIO())
    return info.value


def line_of(spec: SpecFile, needle: str) -> int:
    lines = spec.path.read_text().splitlines()
    return next(i for i, line in enumerate(lines, 1) if needle in line)


def kernel_layers(tmp_path: Path) -> tuple[str, ...]:
    """The layers this kernel gives; kernel-only tests skip when Landlock or seccomp is missing."""
    layers = run(place(tmp_path, "environ.py"))[0].layers
    if not any(x.startswith("landlock") for x in layers) or "seccomp" not in layers:
        pytest.skip(f"this kernel lacks Landlock or seccomp (layers: {layers})")
    return layers


# ---------------------------------------------------------------- time and memory


def test_an_endless_loop_is_stopped_at_its_line(tmp_path: Path) -> None:
    spec = place(tmp_path, "endless_loop.py")
    err = failure(spec, timeout=1)
    assert err.code == "SPEC-PYTHON-TIMEOUT"
    assert err.where == Location(spec.rel, line_of(spec, "while True"), 1)
    assert "within 1 s" in err.message


def test_a_spec_that_ignores_its_alarm_is_killed(tmp_path: Path) -> None:
    err = failure(place(tmp_path, "stubborn_loop.py"), timeout=1)
    assert err.code == "SPEC-PYTHON-TIMEOUT"
    assert err.where == Location("specs/ns/stubborn_loop.py")


def test_allocating_ten_gib_runs_out_of_memory_at_its_line(tmp_path: Path) -> None:
    spec = place(tmp_path, "big_alloc.py")
    err = failure(spec)
    assert err.code == "SPEC-PYTHON-MEMORY"
    assert err.where is not None and err.where.line == line_of(spec, "bytearray")


def test_printing_100_mb_is_drained_and_truncated(tmp_path: Path) -> None:
    result, shown = run(place(tmp_path, "print_flood.py"))
    assert [d.data["name"] for d in result.documents] == ["chatty"]
    assert result.output_bytes > 100_000_000
    assert len(result.output) == SandboxLimits().echo_bytes
    assert len(shown) < 2 * SandboxLimits().echo_bytes
    assert shown.startswith("specs/ns/print_flood.py: the spec printed:\n    xxx")
    assert "more bytes not shown" in shown


# ---------------------------------------------------------------- secrets and files


def test_the_environment_holds_no_secrets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_not_a_real_token")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-a-real-key")
    monkeypatch.setenv("KUBECONFIG", "/somewhere/kubeconfig")
    result, _ = run(place(tmp_path, "environ.py"))
    assert "ENVIRON" in result.output
    for secret in ("GITHUB_TOKEN", "ghp_not_a_real_token", "AWS_", "KUBECONFIG", "HOME"):
        assert secret not in result.output
    environ = result.output.split("ENVIRON", 1)[1]
    assert "PYTHONHASHSEED', '0'" in environ


@pytest.mark.parametrize("limits", [ALL_LAYERS, KERNEL_ONLY], ids=["all", "kernel-only"])
def test_the_parents_environment_cannot_be_read_through_proc(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, limits: SandboxLimits
) -> None:
    if not limits.audit_hook:
        kernel_layers(tmp_path)
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_not_a_real_token")
    spec = place(tmp_path, "proc_environ.py")
    err = failure(spec, limits)
    assert err.code == ("SPEC-PYTHON-BLOCKED" if limits.audit_hook else "SPEC-PYTHON-ERROR")
    assert "environ" in err.message
    assert "ghp_not_a_real_token" not in err.message
    assert err.where is not None and err.where.line == line_of(spec, "open(")


@pytest.mark.parametrize("limits", [ALL_LAYERS, KERNEL_ONLY], ids=["all", "kernel-only"])
def test_writing_a_file_is_blocked_and_nothing_is_written(
    tmp_path: Path, limits: SandboxLimits
) -> None:
    if not limits.audit_hook:
        kernel_layers(tmp_path)
    spec = place(tmp_path, "write_file.py")
    err = failure(spec, limits)
    target = spec.path.with_name("pwned.txt")
    assert not target.exists()
    assert err.where is not None and err.where.line == line_of(spec, "write_text")
    if limits.audit_hook:
        assert err.code == "SPEC-PYTHON-BLOCKED"
        assert err.message == (
            f"the spec tried to write {target}: Python specs may not write files"
        )
    else:
        assert err.message.startswith("PermissionError")


def test_a_caught_refusal_is_still_reported(tmp_path: Path) -> None:
    spec = place(tmp_path, "write_caught.py")
    err = failure(spec)
    assert err.code == "SPEC-PYTHON-BLOCKED"
    assert err.where is not None and err.where.line == line_of(spec, "open(")
    assert not Path("/tmp/katib-gitops-pwned.txt").exists()


@pytest.mark.parametrize("limits", [ALL_LAYERS, KERNEL_ONLY], ids=["all", "kernel-only"])
def test_deleting_a_file_is_blocked(tmp_path: Path, limits: SandboxLimits) -> None:
    if not limits.audit_hook:
        kernel_layers(tmp_path)
    spec = place(tmp_path, "delete_file.py")
    victim = spec.path.with_name("victim.txt")
    victim.write_text("still here")
    err = failure(spec, limits)
    assert victim.read_text() == "still here"
    assert err.where is not None and err.where.line == line_of(spec, "os.remove")
    if limits.audit_hook:
        assert (
            err.message == f"the spec tried to delete {victim}: Python specs may not change files"
        )


@pytest.mark.parametrize(
    "fixture", ["read_passwd.py", "read_outside.py", "symlink_escape.py", "tamper.py"]
)
@pytest.mark.parametrize("limits", [ALL_LAYERS, KERNEL_ONLY], ids=["all", "kernel-only"])
def test_reading_outside_the_spec_folder_is_blocked(
    tmp_path: Path, fixture: str, limits: SandboxLimits
) -> None:
    if not limits.audit_hook:
        kernel_layers(tmp_path)
    spec = place(tmp_path, fixture)
    secret = tmp_path / "specs" / "secret.txt"
    secret.write_text("the secret")
    spec.path.with_name("link.txt").symlink_to(secret)
    err = failure(spec, limits)
    assert err.code == ("SPEC-PYTHON-BLOCKED" if limits.audit_hook else "SPEC-PYTHON-ERROR")
    assert "the secret" not in err.message
    assert "root:" not in err.message
    assert err.where is not None and err.where.line > 0
    if limits.audit_hook:
        assert "Python specs may read only files in their own folder" in err.message


def test_reading_an_ssh_key_is_blocked(tmp_path: Path) -> None:
    spec = place(tmp_path, "read_ssh.py")
    spec.path.with_name("home.txt").write_text(str(Path.home()))
    err = failure(spec)
    assert err.code == "SPEC-PYTHON-BLOCKED"
    assert err.message.startswith(f"the spec tried to read {Path.home()}/.ssh/id_rsa: ")
    assert err.where is not None and err.where.line == line_of(spec, "id_rsa")


def test_the_spec_may_read_its_own_folder(tmp_path: Path) -> None:
    folder = tmp_path / "specs" / "ns"
    folder.mkdir(parents=True)
    (folder / "settings.json").write_text('{"image": "docker.io/example/x"}')
    spec = folder / "reads.py"
    spec.write_text(
        "import json\nfrom pathlib import Path\nfrom compiler.dsl import *\n"
        "settings = json.loads(Path(__file__).with_name('settings.json').read_text())\n"
        "experiment(name='r', objective=maximize('a'), algorithm='random',\n"
        "           trial=job(image=settings['image']))\n"
    )
    result, _ = run(SpecFile(spec, "specs/ns/reads.py", "ns"))
    assert result.documents[0].data["trial"] == {"image": "docker.io/example/x"}


# ---------------------------------------------------------------- processes, network, native code


@pytest.mark.parametrize("limits", [ALL_LAYERS, KERNEL_ONLY], ids=["all", "kernel-only"])
def test_running_a_program_is_blocked(tmp_path: Path, limits: SandboxLimits) -> None:
    if not limits.audit_hook:
        kernel_layers(tmp_path)
    spec = place(tmp_path, "run_program.py")
    err = failure(spec, limits)
    assert not spec.path.with_name("ran.txt").exists()
    if limits.audit_hook:
        assert err.code == "SPEC-PYTHON-BLOCKED"
        assert err.message == (
            "the spec tried to import _posixsubprocess: Python specs may not run programs"
        )
        assert err.where == Location(spec.rel, line_of(spec, "import subprocess"), 1)
    else:
        assert err.message == "PermissionError: [Errno 1] Operation not permitted"


@pytest.mark.parametrize("limits", [ALL_LAYERS, KERNEL_ONLY], ids=["all", "kernel-only"])
def test_a_fork_bomb_is_contained(tmp_path: Path, limits: SandboxLimits) -> None:
    if not limits.audit_hook:
        kernel_layers(tmp_path)
    spec = place(tmp_path, "fork_bomb.py")
    err = failure(spec, limits)
    assert err.where == Location(spec.rel, line_of(spec, "os.fork()"), 5)
    if limits.audit_hook:
        assert err.message == (
            "the spec tried to start a process (os.fork): Python specs may not run programs"
        )
    else:
        assert err.message == "PermissionError: [Errno 1] Operation not permitted"


@pytest.mark.parametrize("limits", [ALL_LAYERS, KERNEL_ONLY], ids=["all", "kernel-only"])
def test_connecting_to_localhost_is_blocked(tmp_path: Path, limits: SandboxLimits) -> None:
    if not limits.audit_hook:
        kernel_layers(tmp_path)
    spec = place(tmp_path, "socket_connect.py")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        port = server.getsockname()[1]
        spec.path.with_name("port.txt").write_text(str(port))
        err = failure(spec, limits)
        server.setblocking(False)
        with pytest.raises(BlockingIOError):
            server.accept()  # nobody connected
    assert err.where is not None and err.where.line == line_of(spec, "create_connection")
    if limits.audit_hook:
        assert err.message == (
            f"the spec tried to use the network (socket.getaddrinfo for 127.0.0.1:{port}): "
            "Python specs may not use the network"
        )


def test_loading_native_code_is_blocked(tmp_path: Path) -> None:
    spec = place(tmp_path, "load_native.py")
    err = failure(spec)
    assert err.code == "SPEC-PYTHON-BLOCKED"
    assert err.message.startswith("the spec tried to use ctypes (ctypes.dlopen)")
    assert err.where is not None and err.where.line == line_of(spec, "CDLL")


def test_threads_cannot_start(tmp_path: Path) -> None:
    kernel_layers(tmp_path)
    spec = place(tmp_path, "threads.py")
    err = failure(spec)
    assert err.message == "RuntimeError: can't start new thread"
    assert err.where is not None and err.where.line == line_of(spec, ".start()")


# ---------------------------------------------------------------- the spec's own failures


def test_exit_3_is_reported_at_its_line(tmp_path: Path) -> None:
    spec = place(tmp_path, "exit_code.py")
    err = failure(spec)
    assert (err.code, err.message) == ("SPEC-PYTHON-EXIT", "the spec called exit(3)")
    assert err.where == Location(spec.rel, line_of(spec, "exit(3)"), 1)


def test_ending_the_process_is_reported(tmp_path: Path) -> None:
    err = failure(place(tmp_path, "os_exit.py"))
    assert err.code == "SPEC-PYTHON-EXIT"
    assert "exited with status 3" in err.message


def test_an_exception_is_located_in_the_spec_only(tmp_path: Path) -> None:
    spec = place(tmp_path, "raises.py")
    err = failure(spec)
    assert (err.code, err.message) == ("SPEC-PYTHON-ERROR", "ValueError: value 2 is too big")
    assert err.where == Location(spec.rel, line_of(spec, "raise ValueError"), 9)
    assert err.hint == f"called from line {line_of(spec, 'check(2)')} in <module>"
    assert "_sandbox" not in err.hint and "compiler" not in err.hint


def test_a_syntax_error_is_located(tmp_path: Path) -> None:
    spec = place(tmp_path, "syntax_error.py.txt")
    err = failure(spec)
    assert err.code == "SPEC-PYTHON-SYNTAX"
    assert err.message == "SyntaxError: '(' was never closed"
    assert err.where == Location(spec.rel, line_of(spec, "y = (2 +"), 5)


def test_declaring_nothing_is_an_error(tmp_path: Path) -> None:
    err = failure(place(tmp_path, "declares_nothing.py"))
    assert (err.code, err.where) == ("SPEC-PYTHON-EMPTY", Location("specs/ns/declares_nothing.py"))


def test_too_many_experiments(tmp_path: Path) -> None:
    spec = place(tmp_path, "too_many.py")
    err = failure(spec)
    assert (err.code, err.message) == (
        "SPEC-PYTHON-DATA",
        "a spec may declare at most 1000 experiments",
    )
    assert err.where == Location(spec.rel, line_of(spec, "experiment("), 5)


def test_a_value_json_cannot_carry_is_located(tmp_path: Path) -> None:
    spec = place(tmp_path, "not_json.py")
    err = failure(spec)
    assert err.code == "SPEC-PYTHON-DATA"
    line = line_of(spec, "object()")
    column = spec.path.read_text().splitlines()[line - 1].index("object()") + 1
    assert err.where == Location(spec.rel, line, column)


def test_the_report_size_is_limited(tmp_path: Path) -> None:
    folder = tmp_path / "specs" / "ns"
    folder.mkdir(parents=True)
    spec = folder / "huge.py"
    spec.write_text(
        "from compiler.dsl import *\n"
        "experiment(name='h', objective=maximize('a'), algorithm='random',\n"
        "           labels={'x': 'y' * 2_000_000}, trial=job(image='x'))\n"
    )
    err = failure(SpecFile(spec, "specs/ns/huge.py", "ns"), SandboxLimits(report_bytes=1 << 20))
    assert err.code == "SPEC-PYTHON-DATA"
    assert "at most 1048576" in err.message


def test_prints_cannot_pose_as_ci_commands(tmp_path: Path) -> None:
    folder = tmp_path / "specs" / "ns"
    folder.mkdir(parents=True)
    spec = folder / "talks.py"
    spec.write_text(
        "print('::add-mask::x\\n\\x1b[2Jcleared')\n"
        "from compiler.dsl import *\n"
        "experiment(name='t', objective=maximize('a'), algorithm='random', trial=job(image='x'))\n"
    )
    _, shown = run(SpecFile(spec, "specs/ns/talks.py", "ns"))
    assert shown.splitlines()[1:] == ["    ::add-mask::x", "    \\x1b[2Jcleared"]


def test_the_sandbox_leaves_no_working_folder_behind(tmp_path: Path) -> None:
    def workdirs() -> set[str]:
        return {n for n in os.listdir(tempfile.gettempdir()) if n.startswith("katib-gitops-spec-")}

    before = workdirs()
    run(place(tmp_path, "environ.py"))
    failure(place(tmp_path, "raises.py"))
    assert workdirs() <= before


def test_a_spec_at_a_repositorys_top_may_not_read_it(tmp_path: Path) -> None:
    """CI checkouts keep a token in .git/config: a spec given by path from a repository's top
    folder may read only itself."""
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config").write_text("[http] extraheader = AUTHORIZATION: basic secret")
    spec = tmp_path / "top.py"
    spec.write_text("print(open('" + str(tmp_path / ".git" / "config") + "').read())\n")
    err = failure(SpecFile(spec, "top.py", "default"))
    assert err.code == "SPEC-PYTHON-BLOCKED"
    assert "secret" not in err.message


def test_an_oversized_spec_is_refused_before_it_runs(tmp_path: Path) -> None:
    spec = tmp_path / "big.py"
    spec.write_text("x = 1\n" + "#" * (9 << 20))
    err = failure(SpecFile(spec, "specs/big.py", "default"))
    assert (err.code, err.where) == ("SPEC-PYTHON-SIZE", Location("specs/big.py"))


def test_validate_shows_a_blocked_operation_at_its_line(tmp_path: Path) -> None:
    spec = place(tmp_path, "write_file.py")
    result = subprocess.run(
        [sys.executable, "-m", "compiler", "validate", "--root", str(tmp_path), spec.rel],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
        timeout=HANG_GUARD,
        check=False,
    )
    line = line_of(spec, "write_text")
    assert result.returncode == 1
    assert (
        f"{spec.rel}:{line}:1: error: SPEC-PYTHON-BLOCKED the spec tried to write" in result.stderr
    )
    assert "Traceback" not in result.stderr
    assert not spec.path.with_name("pwned.txt").exists()


@pytest.mark.parametrize(
    ("line", "needle"),
    [
        ("x = 'é'; raise ValueError('boom')", "raise"),
        ("experiment(name='é', objective=maximize('a'), algorithm='random', "
         "parameters={'lr': floats(0.1, object())}, trial=job(image='x'))", "object()"),
    ],
)  # fmt: skip
def test_columns_count_characters(tmp_path: Path, line: str, needle: str) -> None:
    """Python's offsets count UTF-8 bytes; editors, and our locations, count characters."""
    folder = tmp_path / "specs" / "ns"
    folder.mkdir(parents=True)
    spec = folder / "accents.py"
    spec.write_text(f"from compiler.dsl import *\n{line}\n", encoding="utf-8")
    err = failure(SpecFile(spec, "specs/ns/accents.py", "ns"))
    assert err.where == Location("specs/ns/accents.py", 2, line.index(needle) + 1)


def test_an_exception_message_stays_on_its_line(tmp_path: Path) -> None:
    folder = tmp_path / "specs" / "ns"
    folder.mkdir(parents=True)
    spec = folder / "forges.py"
    spec.write_text("raise ValueError('boom\\n::error file=x::forged')\n")
    err = failure(SpecFile(spec, "specs/ns/forges.py", "ns"))
    assert err.message == "ValueError: boom\\x0a::error file=x::forged"


def test_a_spec_killed_by_a_signal_is_reported_as_a_crash(tmp_path: Path) -> None:
    err = failure(place(tmp_path, "abort_signal.py"))
    assert err.code == "SPEC-PYTHON-CRASH"
    assert "SIGABRT" in err.message
