"""Python specs: run in a separate, contained process; their experiments come back as data.
(Placeholder until the sandbox lands.)"""

from __future__ import annotations

from compiler.errors import InputError
from compiler.load.specs import SpecFile
from compiler.model.source import Document, Location


def read_python_spec(spec: SpecFile) -> list[Document]:
    raise InputError("Python specs are not supported yet", Location(spec.rel), code="SPEC-PYTHON")
