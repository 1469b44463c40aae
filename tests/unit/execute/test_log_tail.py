"""The last lines of a failed trial's log, as printed and committed: clean, short, no secrets."""

from __future__ import annotations

from pathlib import Path

from compiler.execute.plan import Launch
from compiler.execute.process import TAIL_LINES, log_tail


def launch(tmp_path: Path, data: bytes, env: dict[str, str] | None = None) -> Launch:
    log = tmp_path / "t.log"
    log.write_bytes(data)
    return Launch("t", ["true"], env or {}, tmp_path, log, tmp_path / "m", None, 30.0)


def test_the_last_lines_without_trailing_blank_ones(tmp_path: Path) -> None:
    data = b"".join(b"line %d\n" % i for i in range(30)) + b"\n\n"
    assert log_tail(launch(tmp_path, data), tmp_path) == tuple(
        f"line {i}" for i in range(30 - TAIL_LINES, 30)
    )
    assert log_tail(launch(tmp_path, b""), tmp_path) == ()
    missing = Launch("t", [], {}, tmp_path, tmp_path / "none.log", tmp_path, None, 30.0)
    assert log_tail(missing, tmp_path) == ()


def test_escapes_progress_bars_and_control_characters_are_dropped(tmp_path: Path) -> None:
    data = (
        b"\x1b[31mError\x1b[0m: boom\n"
        b"10%\r50%\r100% done\r\n"
        b"\x1b]0;title\x07bell\x07 and \x00nul\n"
        b"caf\xc3\xa9 \xff\n"
    )
    assert log_tail(launch(tmp_path, data), tmp_path) == (
        "Error: boom",
        "100% done",
        "bell and nul",
        "café \ufffd",
    )


def test_long_lines_are_cut_and_a_huge_log_read_from_its_end(tmp_path: Path) -> None:
    data = b"x" * 200_000 + b"\n" + b"y" * 1000 + b"\nlast\n"
    tail = log_tail(launch(tmp_path, data), tmp_path)
    assert tail[-1] == "last" and len(tail) == 2  # the cut first line is not shown
    assert len(tail[0]) == 400 and tail[0].endswith("…")


def test_secret_values_are_masked_and_the_repository_path_made_relative(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    env = {"HF_TOKEN": "hf_abcdefgh123", "DB_PASSWORD": "hunter22", "LR": "0.1", "KEY": "k"}
    data = f"token hf_abcdefgh123 pw hunter22 lr 0.1\nopen {root.resolve()}/data.csv\n".encode()
    assert log_tail(launch(tmp_path, data, env), root) == (
        "token *** pw *** lr 0.1",
        "open data.csv",
    )
