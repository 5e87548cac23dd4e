"""The CLI, production settings and the README stay in step with the code."""

import os
import pathlib
import re
import subprocess
import sys

import pytest
from click.testing import CliRunner

from broadsheet.cli import main
from broadsheet.conf.config import CONFIG

REPO = pathlib.Path(__file__).resolve().parents[2]
README = (REPO / "README.md").read_text()


def _fresh_environment(home, **env) -> dict:
    """The environment of a new installation: a fresh home, the embedded database."""
    environment = {**os.environ, "BROADSHEET_HOME": str(home), **env}
    for name in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "BROADSHEET_SITE_URL"):
        environment.pop(name, None)
    return environment


def _run(args, home, **env):
    environment = _fresh_environment(home, **env)
    return subprocess.run(
        [sys.executable, "-m", "broadsheet", *args], env=environment, capture_output=True, text=True, timeout=120
    )


def test_every_setting_is_documented_in_the_readme():
    for setting in CONFIG:
        assert f"`{setting.env_var}`" in README, setting.env_var


def test_every_command_is_documented_in_the_readme():
    for name in main.commands:
        assert f"`broadsheet {name}" in README, name


def test_config_command_lists_every_variable():
    result = CliRunner().invoke(main, ["config"])
    assert result.exit_code == 0
    for setting in CONFIG:
        assert setting.env_var in result.output


@pytest.mark.parametrize("proxy,expected", [("off", {"W004", "W008", "W012", "W016"}), ("on", {"W021"})])
def test_check_deploy_reports_only_documented_https_settings(tmp_path, proxy, expected):
    result = _run(["manage", "check", "--deploy"], tmp_path, BROADSHEET_BEHIND_HTTPS_PROXY=proxy)
    found = set(re.findall(r"security\.(W\d+)", result.stdout + result.stderr))
    assert found == expected, result.stdout + result.stderr
    for code in expected:
        assert code in README


def test_createuser_on_a_fresh_home_reads_the_password_from_stdin(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "broadsheet", "createuser", "ann", "--email", "ann@example.org", "--role", "editor"],
        input="a long enough passphrase 42\n",
        env=_fresh_environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Created editor ann." in result.stdout
    assert (tmp_path / "broadsheet.sqlite3").exists()
    again = _run(["createuser", "ann", "--password-stdin"], tmp_path)
    assert again.returncode != 0


def test_sqlite_runs_in_wal_mode(tmp_path):
    result = _run(["manage", "shell", "-c", "from django.db import connection; c = connection.cursor(); "
                   "print(c.execute('PRAGMA journal_mode').fetchone()[0])"], tmp_path)  # fmt: skip
    assert result.stdout.strip().endswith("wal"), result.stderr


def _free_port():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_creates_the_sample_site_and_serves_it(tmp_path):
    """The README's first command: a fresh home, sample content, a real server (granian)."""
    import time
    import urllib.request

    port = _free_port()
    environment = _fresh_environment(tmp_path)
    server = subprocess.Popen(
        [sys.executable, "-m", "broadsheet", "serve", "--port", str(port), "--workers", "1"],
        env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        body = None
        while time.monotonic() < deadline and body is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/2010/07/", timeout=5) as response:
                    assert response.status == 200
                    assert response.headers["Server"] != "WSGIServer"  # not Django's runserver
                    body = response.read().decode()
            except OSError:
                time.sleep(0.3)
        assert body is not None, "the server did not answer"
        assert "<title>Archive | July, 2010</title>" in body
        assert "Continue reading" in body
        assert f'href="http://127.0.0.1:{port}/2010/07/"' in body  # canonical follows the served address
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/broadsheet/theme.css", timeout=5) as response:
            assert response.status == 200
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert "Created the sample site" in output
    assert f"http://127.0.0.1:{port}/" in output
