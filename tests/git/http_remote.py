"""git's smart HTTP on loopback: `git http-backend` (git's own server, as CGI) behind Basic
auth, so the HTTPS-token path (a credential helper) is tested against real git on both ends."""

from __future__ import annotations

import base64
import os
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class GitHTTP:
    def __init__(self, project_root: Path, user: str, token: str) -> None:
        self.project_root = project_root
        self.expected = "Basic " + base64.b64encode(f"{user}:{token}".encode()).decode()
        self.secret = token.encode()
        self.user = user
        self.authorized = 0  # requests that carried the right credentials
        self.refused = 0
        self.leaks: list[str] = []  # processes whose argv or environment held the token
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> GitHTTP:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer._serve(self)

            def do_POST(self) -> None:
                outer._serve(self)

            def log_message(self, *_: object) -> None:
                pass

        return Handler

    def _serve(self, h: BaseHTTPRequestHandler) -> None:
        if h.headers.get("Authorization") != self.expected:
            self.refused += 1
            h.send_response(401)
            h.send_header("WWW-Authenticate", 'Basic realm="git"')
            h.send_header("Content-Length", "0")
            h.end_headers()
            return
        self.authorized += 1
        self.leaks += _processes_holding(self.secret)  # the client waits for us right now
        body = h.rfile.read(int(h.headers.get("Content-Length") or 0))
        path, _, query = h.path.partition("?")
        env = {
            "PATH": os.environ["PATH"],
            "GIT_PROJECT_ROOT": str(self.project_root),
            "GIT_HTTP_EXPORT_ALL": "1",
            "REMOTE_USER": self.user,  # http-backend enables receive-pack for a known user
            "REMOTE_ADDR": "127.0.0.1",
            "REQUEST_METHOD": h.command,
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "CONTENT_TYPE": h.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(len(body)),
            "HTTP_CONTENT_ENCODING": h.headers.get("Content-Encoding", ""),
            "GIT_PROTOCOL": h.headers.get("Git-Protocol", ""),
        }
        out = subprocess.run(
            ["git", "http-backend"], input=body, env=env, capture_output=True, check=False
        ).stdout
        head, _, payload = out.partition(b"\r\n\r\n")
        status, headers = 200, []
        for line in head.split(b"\r\n"):
            name, _, value = line.decode().partition(":")
            if name.lower() == "status":
                status = int(value.split()[0])
            elif name:
                headers.append((name, value.strip()))
        h.send_response(status)
        for name, value in headers:
            h.send_header(name, value)
        h.send_header("Content-Length", str(len(payload)))
        h.end_headers()
        h.wfile.write(payload)


def _processes_holding(secret: bytes) -> list[str]:
    """Every process (but this one) whose command line or environment contains `secret`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        for part in ("cmdline", "environ"):
            try:
                if secret in (entry / part).read_bytes():
                    found.append(f"{entry.name} {part}")
            except OSError:
                continue
    return found
