from django.http import Http404
from django.utils import timezone

from broadsheet.content.models import SiteSettings


class SiteSettingsMiddleware:
    """Load the site's settings once per request and work in the site's time zone.

    Requests share one read-only instance while the settings row is unchanged
    (``SiteSettings.load_shared``: one plain query, no ORM).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        site = SiteSettings.load_shared()
        token = SiteSettings.use(site)
        request.site = site
        timezone.activate(site.tzinfo)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
            SiteSettings.reset_current(token)


class RejectMalformedPathMiddleware:
    """Answer 404 for paths no entry can have (NUL bytes, which PostgreSQL cannot even compare)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path:
            raise Http404("No such page.")
        return self.get_response(request)
