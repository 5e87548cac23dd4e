"""Signing in (/accounts/login/, then /accounts/login/code/ with two-factor) and out (POST only)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import login, logout
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from broadsheet.accounts import two_factor, two_step
from broadsheet.accounts.forms.signin import CodeForm, LoginForm
from broadsheet.accounts.redirects import safe_next


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def login_view(request):
    next_url = safe_next(request, request.POST.get("next") or request.GET.get("next"))
    form = LoginForm(request, data=request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        user = form.user
        if two_factor.has_two_factor(user):
            two_step.begin(request, user, next_url=next_url)
            return redirect("accounts:login_code")
        login(request, user)  # a new session key: no session fixation
        return redirect(next_url)
    context = {"form": form, "next": next_url}
    return _response(request, "accounts/login.html", context, form)


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def login_code(request):
    user, next_url = two_step.pending(request)
    if user is None:
        messages.info(request, "Please sign in again: the step asking for your code was not started, or timed out.")
        return redirect("accounts:login")
    form = CodeForm(request, user, data=request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        two_step.forget(request)
        login(request, user, backend=user.backend)
        if form.kind == "recovery":
            left = two_factor.recovery_codes_left(user)
            messages.warning(
                request,
                f"You signed in with a recovery code; {left} left. Each works once: make new ones on your profile page.",
            )
        return redirect(next_url or safe_next(request, None))
    return _response(request, "accounts/login_code.html", {"form": form}, form)


@require_POST
def logout_view(request):
    """Sign out (POST only, so no link or image elsewhere can sign anyone out)."""
    logout(request)
    messages.success(request, "You are signed out.")
    return redirect("accounts:login")


def _response(request, template: str, context: dict, form) -> TemplateResponse:
    """Render a sign-in step: 400 for a wrong answer, 429 (with Retry-After) while paused."""
    response = TemplateResponse(request, template, context)
    if not form.is_bound:
        return response
    response.status_code = 400
    if form.lockout is not None:
        response.status_code = 429
        response["Retry-After"] = str(int((form.lockout.until - form.lockout.now).total_seconds()) + 1)
    return response


def admin_login_redirect(request, extra_context=None):
    """Stand in for the admin site's sign-in page: send people to ours (throttled, two-factor)."""
    next_url = safe_next(request, request.GET.get("next"), default=reverse("admin:index"))
    return redirect(reverse("accounts:login") + "?" + urlencode({"next": next_url}))
