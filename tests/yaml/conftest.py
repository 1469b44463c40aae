"""The parsers of tests/yaml: PyYAML (libyaml and pure Python), go-yaml v2 and v3 with
sigs.k8s.io/yaml (tools/yamlharness, built from the Go module proxy) and the npm `yaml` package
(installed with npm into the cache, outside the repository).

Without Go, or without Node.js and npm, the tests skip, unless ``KATIB_GITOPS_REQUIRE_GO=1``
or ``KATIB_GITOPS_REQUIRE_NODE=1`` (CI, .ci/run) turns the skip into a failure.
"""

from __future__ import annotations

import shutil
import sys
import time
from collections.abc import Iterator

import pytest

from tests.conftest import require_go, skip_or_fail
from tools.yamlharness.harness import NodeMissingError, Parsers

REQUIRE_NODE = "KATIB_GITOPS_REQUIRE_NODE"


@pytest.fixture(scope="session")
def parsers() -> Iterator[Parsers]:
    require_go()
    if shutil.which("node") is None or shutil.which("npm") is None:
        skip_or_fail(
            "Node.js and npm are not on PATH (the npm yaml package reads YAML)", REQUIRE_NODE
        )
    start = time.monotonic()
    try:
        ready = Parsers(log=lambda msg: print(f"[yamlharness] {msg}", file=sys.stderr))
    except NodeMissingError as exc:
        skip_or_fail(str(exc), REQUIRE_NODE)
        raise
    print(f"[yamlharness] parsers ready in {time.monotonic() - start:.1f}s", file=sys.stderr)
    yield ready
    ready.close()
