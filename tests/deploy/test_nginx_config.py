"""``broadsheet deploy nginx``: the configuration it writes, its headers, and the copy kept in deploy/nginx/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from broadsheet.cli import main
from broadsheet.deploy.nginx import NginxOptions, render_nginx_config, security_headers

REPO = Path(__file__).resolve().parents[2]


def _csp(value: str) -> set[str]:
    return {directive.strip() for directive in value.split(";") if directive.strip()}


def test_the_copy_in_the_repository_is_what_the_command_writes(settings):
    kept = (REPO / "deploy" / "nginx" / "broadsheet.conf").read_text()
    assert kept == render_nginx_config(NginxOptions(example=True), settings), (
        "regenerate it: broadsheet deploy nginx --example -o deploy/nginx/broadsheet.conf"
    )


@pytest.mark.django_db
def test_security_headers_are_those_django_sends_on_a_public_page(client, settings):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    expected = dict(security_headers(settings))
    assert set(expected) == {"X-Content-Type-Options", "Referrer-Policy", "Cross-Origin-Opener-Policy",
                             "X-Frame-Options", "Content-Security-Policy"}  # fmt: skip
    for name, value in expected.items():
        if name == "Content-Security-Policy":
            assert _csp(value) == _csp(response[name])
        else:
            assert response[name] == value, name


def test_hsts_follows_the_https_settings(settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    assert ("Strict-Transport-Security", "max-age=31536000; includeSubDomains") in security_headers(settings)
    settings.SECURE_HSTS_SECONDS = 0
    assert "Strict-Transport-Security" not in dict(security_headers(settings))


def test_paths_and_app_servers_come_from_the_settings_and_options(settings, tmp_path):
    settings.PAGE_STORE = tmp_path / "pages"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STATIC_ROOT = tmp_path / "static"
    text = render_nginx_config(NginxOptions(server_name="blog.example.net", listen="8080",
                                            app=["10.0.0.5:8000", "10.0.0.6:8000"]), settings)  # fmt: skip
    assert f"root {tmp_path / 'pages'};" in text
    assert f"alias {tmp_path / 'media'}/;" in text
    assert f"alias {tmp_path / 'static'}/;" in text
    assert "server_name blog.example.net;" in text and "listen 8080;" in text
    assert "server 10.0.0.5:8000;" in text and "server 10.0.0.6:8000;" in text
    assert 'add_header Content-Security-Policy "default-src \'none\'; sandbox" always;' in text  # on media
    assert "ssi on;" in text and "gzip_static on;" in text
    assert not re.search(r"^\s*open_file_cache ", text, re.MULTILINE)


def test_the_session_cookie_name_is_the_one_django_uses(settings):
    settings.SESSION_COOKIE_NAME = "bs_session"
    text = render_nginx_config(NginxOptions(), settings)
    assert '"~(^|;)\\s*bs_session=" 1;' in text


@pytest.mark.parametrize("options", [
    NginxOptions(server_name="a.org; include /etc/passwd"),
    NginxOptions(listen="80 {"),
    NginxOptions(app=["127.0.0.1:8000;"]),
    NginxOptions(app=[""]),
])  # fmt: skip
def test_values_that_would_break_the_config_are_refused(settings, options):
    with pytest.raises(ValueError, match="cannot be written"):
        render_nginx_config(options, settings)


def test_no_page_store_no_config(settings):
    settings.PAGE_STORE = None
    with pytest.raises(ValueError, match="page store is off"):
        render_nginx_config(NginxOptions(), settings)


def test_the_command_prints_or_writes_the_config(tmp_path):
    result = CliRunner().invoke(main, ["deploy", "nginx", "--server-name", "blog.example.net", "--app", "127.0.0.1:9000"])
    assert result.exit_code == 0, result.output
    assert "server_name blog.example.net;" in result.output and "server 127.0.0.1:9000;" in result.output
    target = tmp_path / "broadsheet.conf"
    result = CliRunner().invoke(main, ["deploy", "nginx", "--example", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert "root /srv/broadsheet-data/pages;" in target.read_text()
    refused = CliRunner().invoke(main, ["deploy", "nginx", "--server-name", "bad name"])
    assert refused.exit_code != 0 and "cannot be written" in refused.output
