"""A real deployment for tests: ``broadsheet serve`` (granian) behind Debian's nginx with the generated config.

nginx runs in the foreground with a private configuration, pid file, temp
folders and logs under a temporary folder, on a free port of 127.0.0.1. Its
access log records, for each request, whether it was passed to the app
(``$upstream_addr``) or answered by nginx from the store.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

NGINX = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.path.exists(p)), None)

NGINX_MAIN = """\
{user}
worker_processes 1;
daemon off;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;        # as Debian's own nginx.conf has it
    tcp_nopush on;
    log_format upstream '$request_method $request_uri $status upstream=$upstream_addr';
    access_log {root}/access.log upstream;
    client_body_temp_path {root}/tmp/body;
    proxy_temp_path {root}/tmp/proxy;
    fastcgi_temp_path {root}/tmp/fastcgi;
    uwsgi_temp_path {root}/tmp/uwsgi;
    scgi_temp_path {root}/tmp/scgi;
    include {root}/broadsheet.conf;
}}
"""


@contextlib.contextmanager
def postgres_database(server_url: str, prefix: str):
    """Create a PostgreSQL database of a test's own on ``server_url``; yield its URL; drop it afterwards."""
    import psycopg

    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    server = urlsplit(server_url)
    admin = urlunsplit(server._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(server._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def machine_environment(home: Path, database_url: str, redis_url: str, site_url: str) -> dict:
    """The environment of an app process of its own (home, database, Redis), as a separate machine has it."""
    environment = {**os.environ, "BROADSHEET_HOME": str(home), "DATABASE_URL": database_url,
                   "BROADSHEET_REDIS_URL": redis_url, "BROADSHEET_SITE_URL": site_url,
                   "DJANGO_SETTINGS_MODULE": "broadsheet.conf.settings"}  # fmt: skip
    for name in ("BROADSHEET_PAGE_STORE", "BROADSHEET_DEBUG"):
        environment.pop(name, None)
    return environment


def run_script(parser, commands: dict) -> int:
    """A test's helper process: parse its command line, set up Django from the environment, run the command
    (``commands[args.command](args)``) and print its summary as JSON on the last line."""
    import json

    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "broadsheet.conf.settings")
    import django

    django.setup()
    print(json.dumps(commands[args.command](args)))
    return 0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def header(self, name: str) -> str | None:
        return self.headers.get(name)


def get(port: int, path: str, *, method: str = "GET", headers: dict | None = None, body: bytes | None = None) -> Reply:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return Reply(response.status, response.headers, response.read())
    finally:
        connection.close()


class Deployment:
    """The app server and nginx in front of it, on one fresh ``BROADSHEET_HOME``."""

    def __init__(self, root: Path):
        self.root = root
        self.home = root / "home"
        self.nginx_root = root / "nginx"
        self.app_port = free_port()
        self.port = free_port()
        self.site_url = f"http://127.0.0.1:{self.port}"
        self.app: subprocess.Popen | None = None
        self.nginx: subprocess.Popen | None = None

    @property
    def env(self) -> dict:
        environment = {**os.environ, "BROADSHEET_HOME": str(self.home), "BROADSHEET_SITE_URL": self.site_url}
        for name in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "BROADSHEET_DEBUG", "BROADSHEET_PAGE_STORE",
                     "BROADSHEET_REDIS_URL"):  # fmt: skip
            environment.pop(name, None)
        return environment

    def broadsheet(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "broadsheet", *args], env=self.env, input=stdin,
                              capture_output=True, text=True, timeout=180)  # fmt: skip

    def shell(self, code: str) -> str:
        """Run ``code`` in ``broadsheet manage shell`` on the same home (another process); return its output."""
        result = self.broadsheet("manage", "shell", "-c", code)
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    # -- processes --------------------------------------------------------------------------------

    def start_app(self) -> None:
        self.app_log = open(self.root / "app.log", "w")  # noqa: SIM115
        self.app = subprocess.Popen(
            [sys.executable, "-m", "broadsheet", "serve", "--port", str(self.app_port), "--workers", "1"],
            env=self.env, stdout=self.app_log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        self._wait(self.app_port, self.app, "broadsheet serve", self.root / "app.log")

    def start_nginx(self) -> None:
        config = self.broadsheet("deploy", "nginx", "--listen", f"127.0.0.1:{self.port}",
                                 "--app", f"127.0.0.1:{self.app_port}", "--server-name", "127.0.0.1")  # fmt: skip
        assert config.returncode == 0, config.stderr
        (self.nginx_root / "tmp").mkdir(parents=True, exist_ok=True)
        (self.nginx_root / "broadsheet.conf").write_text(config.stdout)
        # As root, nginx's workers would otherwise run as nobody and could not read the test's private folders.
        user = "user root;" if os.geteuid() == 0 else ""
        (self.nginx_root / "nginx.conf").write_text(NGINX_MAIN.format(root=self.nginx_root, user=user))
        check = subprocess.run([NGINX, "-t", "-p", str(self.nginx_root), "-c", str(self.nginx_root / "nginx.conf")],
                               capture_output=True, text=True)  # fmt: skip
        assert check.returncode == 0, check.stderr
        self.nginx = subprocess.Popen(
            [NGINX, "-p", str(self.nginx_root), "-c", str(self.nginx_root / "nginx.conf")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        self._wait(self.port, self.nginx, "nginx", self.nginx_root / "error.log", path="/robots.txt")

    def _wait(self, port: int, process: subprocess.Popen, name: str, log: Path, path: str = "/robots.txt") -> None:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise AssertionError(f"{name} exited ({process.returncode}):\n{log.read_text()[-3000:]}")
            with contextlib.suppress(OSError):
                if get(port, path).status == 200:
                    return
            time.sleep(0.3)
        raise AssertionError(f"{name} did not answer:\n{log.read_text()[-3000:]}")

    def stop_app(self) -> None:
        _stop(self.app)
        self.app = None

    def stop(self) -> None:
        _stop(self.nginx, signal.SIGQUIT)
        _stop(self.app)

    # -- observing -------------------------------------------------------------------------------

    def log_lines(self) -> list[str]:
        path = self.nginx_root / "access.log"
        return path.read_text().splitlines() if path.exists() else []

    def fetch(self, path: str, **kwargs) -> tuple[Reply, bool]:
        """GET ``path`` through nginx; return the reply and whether nginx passed it to the app."""
        before = len(self.log_lines())
        reply = get(self.port, path, **kwargs)
        deadline = time.monotonic() + 5
        while True:
            lines = self.log_lines()[before:]
            if lines or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert len(lines) == 1, lines
        return reply, "upstream=-" not in lines[0]


def _stop(process: subprocess.Popen | None, sig: int = signal.SIGTERM) -> None:
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, sig)
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass
