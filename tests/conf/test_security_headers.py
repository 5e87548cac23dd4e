"""Every response carries the security headers; public pages have no inline script."""

import re

import pytest
from django.test import override_settings

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def published_post():
    return factories.post("Security headers", body="Text with a <script>alert(1)</script> tag.")


@pytest.mark.parametrize("path", ["/", "/robots.txt", "/no-such-page/", "/accounts/login/"])
def test_security_headers_on_every_response(client, published_post, path):
    response = client.get(path)
    assert response.status_code in (200, 404)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Frame-Options"] == "DENY"
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"


def test_public_pages_have_no_inline_script_and_no_nonce(client, published_post):
    for path in ["/", published_post.get_absolute_url(), "/2010/", "/?s=headers"]:
        html = client.get(path).content.decode()
        inline = [m for m in re.finditer(r"<script(?![^>]*\bsrc=)[^>]*>", html)]
        assert inline == [], f"inline script on {path}"
        assert "nonce-" not in html
        assert "alert(1)" not in html or "&lt;script" in html


def test_https_deployment_sets_secure_cookies_and_hsts(monkeypatch):
    """With BROADSHEET_BEHIND_HTTPS_PROXY on, the settings module turns on secure cookies and HSTS."""
    import importlib

    import broadsheet.conf.settings as settings_module

    monkeypatch.setenv("BROADSHEET_BEHIND_HTTPS_PROXY", "on")
    try:
        reloaded = importlib.reload(settings_module)
        assert reloaded.SESSION_COOKIE_SECURE is True
        assert reloaded.CSRF_COOKIE_SECURE is True
        assert reloaded.SECURE_HSTS_SECONDS >= 31536000
        assert reloaded.SECURE_PROXY_SSL_HEADER == ("HTTP_X_FORWARDED_PROTO", "https")
    finally:
        monkeypatch.delenv("BROADSHEET_BEHIND_HTTPS_PROXY")
        importlib.reload(settings_module)


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_oversized_request_body_is_rejected_not_500(client, published_post):
    response = client.post("/accounts/login/", {"username": "x" * 5000, "password": "y"})
    assert response.status_code == 400
