"""Django's deployment check (``broadsheet manage check --deploy``) against production configurations.

Each test runs the real command in a subprocess, as an operator would, with only the environment
variables of ``broadsheet config`` set: a production configuration checks clean; each thing a
careless one gets wrong is reported, by its Django check id.
"""

import os
import re
import secrets
import subprocess
import sys

import pytest

CLEAN = "System check identified no issues (0 silenced)."


def _production(home, **changes) -> dict:
    """The environment of a production site behind an HTTPS proxy, with ``changes`` (None removes)."""
    environment = {name: value for name, value in os.environ.items() if not name.startswith("BROADSHEET_")}
    for name in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL"):
        environment.pop(name, None)
    environment.update(
        BROADSHEET_HOME=str(home),
        BROADSHEET_DEBUG="off",
        BROADSHEET_SECRET_KEY=secrets.token_urlsafe(50),
        BROADSHEET_SITE_URL="https://blog.example.org",
        BROADSHEET_ALLOWED_HOSTS="blog.example.org,www.example.org",
        BROADSHEET_BEHIND_HTTPS_PROXY="on",
        BROADSHEET_HSTS_PRELOAD="on",
    )
    for name, value in changes.items():
        if value is None:
            environment.pop(name, None)
        else:
            environment[name] = value
    return environment


def _check_deploy(home, *options, **changes) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "broadsheet", "manage", "check", "--deploy", *options],
        env=_production(home, **changes),
        capture_output=True,
        text=True,
        timeout=120,
    )


def _reported(result) -> set[str]:
    return set(re.findall(r"\((security\.[WE]\d+)\)", result.stdout + result.stderr))


def test_a_production_configuration_checks_clean(tmp_path):
    result = _check_deploy(tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == CLEAN, result.stdout + result.stderr
    assert result.stderr == ""


def test_the_generated_secret_key_is_production_grade(tmp_path):
    """With no key given, the one generated in BROADSHEET_HOME passes the check too."""
    result = _check_deploy(tmp_path, BROADSHEET_SECRET_KEY=None)
    assert result.stdout.strip() == CLEAN, result.stdout + result.stderr
    assert len((tmp_path / "secret_key").read_text().strip()) >= 50


@pytest.mark.parametrize(
    "changes, expected",
    [
        ({"BROADSHEET_SECRET_KEY": "too-short-a-secret"}, {"security.W009"}),
        ({"BROADSHEET_SECRET_KEY": "ab" * 30}, {"security.W009"}),  # long, but only two different characters
        ({"BROADSHEET_SECRET_KEY": "django-insecure-" + secrets.token_urlsafe(50)}, {"security.W009"}),
        ({"BROADSHEET_DEBUG": "on"}, {"security.W018"}),
        ({"BROADSHEET_HSTS_PRELOAD": "off"}, {"security.W021"}),
        ({"BROADSHEET_BEHIND_HTTPS_PROXY": "off"}, {"security.W004", "security.W008", "security.W012", "security.W016"}),
    ],
    ids=["short-secret-key", "repetitive-secret-key", "insecure-prefix-secret-key", "debug-on", "no-hsts-preload", "no-https"],
)
def test_a_careless_production_configuration_is_reported(tmp_path, changes, expected):
    result = _check_deploy(tmp_path, **changes)
    output = result.stdout + result.stderr  # Django writes the warnings to stderr
    assert _reported(result) == expected, output
    assert CLEAN not in output
    assert f"System check identified {len(expected)} issue" in output


def test_warnings_fail_the_check_when_asked(tmp_path):
    """``--fail-level WARNING`` turns a warning into a failing exit status, for deployment scripts."""
    result = _check_deploy(tmp_path, "--fail-level", "WARNING", BROADSHEET_DEBUG="on")
    assert result.returncode != 0
    assert "security.W018" in result.stderr + result.stdout
