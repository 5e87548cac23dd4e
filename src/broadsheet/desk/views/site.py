"""Site settings (/desk/settings/): administrators only (``manage_options``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods

from broadsheet.accounts.capabilities import Capability, require
from broadsheet.content.models import SiteSettings
from broadsheet.desk.forms.site import DATE_FIELDS, DISCUSSION_FIELDS, SiteSettingsForm
from broadsheet.desk.site_settings import save_site_settings


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def site_settings(request):
    require(request.user, Capability.MANAGE_OPTIONS)
    form = SiteSettingsForm(request.POST or None, instance=SiteSettings.load())
    if request.method == "POST" and form.is_valid():
        saved = save_site_settings(form)
        if not saved.changed:
            messages.info(request, "Nothing changed.")
        else:
            messages.success(request, "Settings saved.")
        if saved.kept_addresses:
            messages.info(request, f"The old addresses of {saved.kept_addresses} published posts now lead to the new ones.")
        return redirect("desk:settings")
    context = {
        "form": form,
        "general": [form[name] for name in ("title", "tagline", "time_zone", "posts_per_page")],
        "dates": [form[name] for name in (*DATE_FIELDS[:3], "archive_title_format", *DATE_FIELDS[3:])],
        "discussion": [form[name] for name in DISCUSSION_FIELDS],
    }
    return TemplateResponse(request, "desk/settings.html", context, status=400 if form.is_bound else 200)
