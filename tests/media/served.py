"""A real ``broadsheet serve`` (granian) on a fresh home, for checking how /media/ is served in production."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serving(home, files: dict[str, bytes]):
    """Put ``files`` in ``home``'s media store, run ``broadsheet serve`` on it, and yield its base URL."""
    for name, data in files.items():
        path = home / "media" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    port = _free_port()
    environment = {**os.environ, "BROADSHEET_HOME": str(home)}
    for name in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "BROADSHEET_SITE_URL", "BROADSHEET_DEBUG"):
        environment.pop(name, None)
    server = subprocess.Popen(
        [sys.executable, "-m", "broadsheet", "serve", "--port", str(port), "--workers", "1", "--no-sample"],
        env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(base + "/robots.txt", timeout=5):
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise AssertionError("broadsheet serve did not answer") from None
                time.sleep(0.3)
        yield base
    finally:
        server.terminate()
        try:
            server.communicate(timeout=60)
        except subprocess.TimeoutExpired:  # a loaded machine: do not fail the test on a slow shutdown
            server.kill()
            server.communicate()
