"""Broadsheet's CSP middleware writes exactly the headers django-csp's own would, building the policy once."""

import pytest
from csp.middleware import CSPMiddleware as DjangoCSPMiddleware
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from broadsheet.content.middleware import CSPMiddleware
from tests import factories

POLICY = {"DIRECTIVES": {"default-src": ["'self'"], "img-src": ["'self'", "https:"]}}


def _headers(middleware_class, prepare=lambda response: None, path="/", nonce=False):
    request = RequestFactory().get(path)

    def view(request):
        response = HttpResponse("page")
        prepare(response)
        return response

    middleware = middleware_class(view)
    middleware.process_request(request)
    if nonce:
        str(request.csp_nonce)
    response = middleware.process_response(request, view(request))
    return {name: value for name, value in response.headers.items() if "Content-Security-Policy" in name}


@pytest.mark.parametrize(
    "prepare",
    [
        lambda response: None,
        lambda response: setattr(response, "_csp_update", {"img-src": ["data:"]}),
        lambda response: setattr(response, "_csp_replace", {"img-src": ["data:"]}),
        lambda response: setattr(response, "_csp_exempt", True),
        lambda response: response.headers.__setitem__("Content-Security-Policy", "default-src 'none'"),
    ],
)
def test_same_headers_as_django_csp(prepare):
    for settings in ({}, {"CONTENT_SECURITY_POLICY_REPORT_ONLY": POLICY}, {"CONTENT_SECURITY_POLICY": POLICY}):
        with override_settings(**settings):
            for nonce in (False, True):
                ours = _headers(CSPMiddleware, prepare, nonce=nonce)
                theirs = _headers(DjangoCSPMiddleware, prepare, nonce=nonce)
                if nonce:  # a fresh nonce per request: compare all but it
                    ours = {k: v.split("'nonce-")[0] for k, v in ours.items()}
                    theirs = {k: v.split("'nonce-")[0] for k, v in theirs.items()}
                assert ours == theirs, (settings, nonce)


def test_policy_follows_a_settings_change():
    first = _headers(CSPMiddleware)["Content-Security-Policy"]
    with override_settings(CONTENT_SECURITY_POLICY=POLICY):
        changed = _headers(CSPMiddleware)["Content-Security-Policy"]
        assert changed == _headers(DjangoCSPMiddleware)["Content-Security-Policy"] != first
        assert "https:" in changed and "frame-ancestors" not in changed
    assert _headers(CSPMiddleware)["Content-Security-Policy"] == first


@pytest.mark.django_db
def test_every_public_page_has_the_policy(client):
    factories.site()
    post = factories.post("Essay")
    for path in ("/", "/2010/07/", post.get_absolute_url(), "/nowhere/"):
        response = client.get(path)
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"], path
