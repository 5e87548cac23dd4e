"""Private preview links: an unpublished entry as readers will see it, for whoever holds the link."""

from __future__ import annotations

from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from broadsheet.content.views import render_entry
from broadsheet.desk.previews import PreviewLinkError, as_it_will_be, read_preview_link


@require_safe
def shared_preview(request, token: str):
    """Show the entry a signed ``token`` names; 410 once expired, 404 if altered or gone.

    Never indexed (``X-Robots-Tag``), never cached (``private, no-store``), and the token is
    not sent on to other sites (``Referrer-Policy: no-referrer``).
    """
    try:
        entry = read_preview_link(token)
    except PreviewLinkError as error:
        response = _invalid(request, str(error), status=410 if error.expired else 404)
    else:
        if entry is None:
            response = _invalid(request, "What this link showed has been deleted.", status=404)
        elif entry.is_live:
            response = redirect(entry.get_absolute_url())
        else:
            response = render_entry(request, as_it_will_be(entry))
            response.render()
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    patch_cache_control(response, private=True, no_store=True)
    return response


def _invalid(request, message: str, *, status: int):
    return TemplateResponse(request, "desk/preview_invalid.html", {"message": message}, status=status)
