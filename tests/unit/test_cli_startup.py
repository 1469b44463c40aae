"""The command line starts without pydantic's plugin loader (issue 11, item 7): specs are
untrusted, so no third-party pydantic plugin runs on them, and the loader's import of
importlib.metadata is ~13 ms of every start. A user naming plugins to disable keeps pydantic's
own loader. Real subprocesses: the module table of a fresh interpreter is what is checked."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SPEC = """name: startup
objective: {maximize: accuracy}
algorithm: random
trials: {max: 4, parallel: 2}
parameters:
  lr: {min: 0.01, max: 0.1}
trial:
  image: registry.example.com/train:1
  command: [python3, /opt/train.py, "--lr=${lr}"]
"""

PROBE = """
import json, sys
from compiler.cli import main
code = main(["validate", "specs/team/startup.yaml"])
from pydantic.plugin._loader import get_plugins
print(json.dumps({"code": code, "metadata": "importlib.metadata" in sys.modules,
                  "plugins": list(get_plugins())}))
"""


def _probe(root: Path, disabled: str | None) -> dict[str, object]:
    env = {k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"}
    if disabled is not None:
        env["PYDANTIC_DISABLE_PLUGINS"] = disabled
    out = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=root, env=env, capture_output=True, text=True, check=True
    )
    result: dict[str, object] = json.loads(out.stdout.splitlines()[-1])
    return result


def _repo(tmp_path: Path) -> Path:
    spec = tmp_path / "specs" / "team" / "startup.yaml"
    spec.parent.mkdir(parents=True)
    spec.write_text(SPEC, "utf-8")
    return tmp_path


def test_validate_starts_without_the_plugin_loader(tmp_path: Path) -> None:
    found = _probe(_repo(tmp_path), None)
    assert found == {"code": 0, "metadata": False, "plugins": []}


def test_named_plugins_keep_pydantic_s_loader(tmp_path: Path) -> None:
    found = _probe(_repo(tmp_path), "some-plugin")
    assert found["code"] == 0
    assert found["metadata"] is True  # pydantic's own loader, which reads package metadata


OTHER_NAME = """
import json, sys
import compiler.cli
stand_in = sys.modules["pydantic.plugin._loader"]
from pydantic.plugin._loader import PYDANTIC_ENTRY_POINT_GROUP, get_plugins
real = sys.modules["pydantic.plugin._loader"]
print(json.dumps({"group": PYDANTIC_ENTRY_POINT_GROUP, "replaced": real is not stand_in,
                  "file": getattr(real, "__file__", ""), "plugins": list(get_plugins())}))
"""


def test_another_name_brings_pydantic_s_loader_back() -> None:
    """A later pydantic may import more than `get_plugins` from its loader: the stand-in
    hands over to the real module rather than fail every command (PEP 562 `__getattr__`)."""
    env = {k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"}
    out = subprocess.run(
        [sys.executable, "-c", OTHER_NAME], env=env, capture_output=True, text=True, check=True
    )
    found = json.loads(out.stdout.splitlines()[-1])
    assert found["group"] == "pydantic"
    assert found["replaced"] is True
    assert found["file"].endswith("_loader.py")
    assert found["plugins"] == []  # the real loader still honours PYDANTIC_DISABLE_PLUGINS


def test_each_command_parses_as_in_the_whole_command_line() -> None:
    """`main` builds only the parsers of the command it is given: the table of names must be
    what the modules register, and a command's help the same either way."""
    import argparse
    import contextlib
    import io

    from compiler import cli

    whole = cli.parser()
    sub = next(a for a in whole._actions if isinstance(a, argparse._SubParsersAction))
    assert sorted(sub.choices) == sorted(cli.NAMES)
    for name in cli.NAMES:
        helps = []
        for p in (whole, cli.parser(name)):
            out = io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):
                p.parse_args([name, "--help"])
            helps.append(out.getvalue())
        assert helps[0] == helps[1], name
