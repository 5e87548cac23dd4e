"""Password reset: ask for a link (/accounts/password-reset/), follow it, choose a new password."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods

from broadsheet.accounts import throttling
from broadsheet.accounts.forms.signin import PasswordResetRequestForm, SetPasswordForm
from broadsheet.accounts.password_reset import request_password_reset


@csrf_protect
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def password_reset(request):
    """Ask for a reset link; the answer is the same whether or not an account uses the address."""
    form = PasswordResetRequestForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        request_password_reset(request, form.cleaned_data["email"])
        return redirect("accounts:password_reset_sent")
    return TemplateResponse(request, "accounts/password_reset.html", {"form": form}, status=400 if form.is_bound else 200)


def password_reset_sent(request):
    return TemplateResponse(request, "accounts/password_reset_sent.html", {})


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's: checks the link's token, moves it out of the address (so no Referer leaks it), sets the password."""

    template_name = "accounts/password_reset_confirm.html"
    form_class = SetPasswordForm
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        # A new password ends any pause on the account's names (not on the network address).
        throttling.clear_failures(step=throttling.Step.PASSWORD, accounts=throttling.account_names(form.user))
        return response


def password_reset_complete(request):
    return TemplateResponse(request, "accounts/password_reset_complete.html", {})
