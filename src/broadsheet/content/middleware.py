from django.utils import timezone

from broadsheet.content.models import SiteSettings


class SiteSettingsMiddleware:
    """Load the site's settings once per request and work in the site's time zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        site = SiteSettings.load()
        token = SiteSettings.use(site)
        request.site = site
        timezone.activate(site.tzinfo)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
            SiteSettings.reset_current(token)
