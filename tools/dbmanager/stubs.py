"""Python stubs of Katib's gRPC API, generated at test time from the Katib module's own
``pkg/apis/manager/v1beta1/api.proto`` with grpcio-tools (a dev dependency), into
``$KATIB_GITOPS_CACHE/dbmanager/stubs-<key>/``; never kept in this repository.

The tests use them as Katib's Python collectors use theirs (``api_pb2``, ``api_pb2_grpc``):
to report observation logs to the real katib-db-manager, and as the reference the hand-written
codec of ``compiler/cluster/dbmanager.py`` is checked against, byte for byte.

    python -m tools.dbmanager.stubs        # generate (or reuse) and print the folder
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib
import shutil
import sys
import tempfile
from importlib import metadata
from pathlib import Path
from types import ModuleType

from tools.dbmanager.build import API_PROTO, DBManagerBuildError, cache_root, katib_module_dir


def _key(proto: bytes) -> str:
    h = hashlib.sha256(proto)
    for dist in ("grpcio-tools", "protobuf"):
        h.update(b"\0" + dist.encode() + b"=" + metadata.version(dist).encode())
    return h.hexdigest()[:16]


def stubs_dir() -> Path:
    """The folder holding api_pb2.py and api_pb2_grpc.py for go.mod's Katib version."""
    from grpc_tools import protoc  # a dev dependency: only the tests generate stubs

    proto = katib_module_dir() / API_PROTO
    root = cache_root()
    root.mkdir(parents=True, exist_ok=True)
    out = root / f"stubs-{_key(proto.read_bytes())}"
    if (out / "api_pb2_grpc.py").exists():
        return out
    with open(root / "stubs.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (out / "api_pb2_grpc.py").exists():
            return out
        tmp = Path(tempfile.mkdtemp(prefix="stubs-", dir=root))
        try:
            shutil.copyfile(proto, tmp / "api.proto")  # protoc names the module after the file
            argv = ["protoc", f"-I{tmp}", f"--python_out={tmp}", f"--grpc_python_out={tmp}"]
            if protoc.main([*argv, str(tmp / "api.proto")]) != 0:
                raise DBManagerBuildError(f"grpc_tools.protoc failed on {proto}")
            (tmp / "api.proto").unlink()
            if out.exists():
                shutil.rmtree(out)
            tmp.rename(out)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return out


def katib_api() -> tuple[ModuleType, ModuleType]:
    """(api_pb2, api_pb2_grpc), imported from the generated folder."""
    folder = str(stubs_dir())
    if folder not in sys.path:
        sys.path.insert(0, folder)  # api_pb2_grpc imports api_pb2 by its bare name
    return importlib.import_module("api_pb2"), importlib.import_module("api_pb2_grpc")


if __name__ == "__main__":
    print(stubs_dir())
