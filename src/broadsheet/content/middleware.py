import csp.constants
import csp.middleware
import csp.utils
from django.conf import settings
from django.core.signals import setting_changed
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
        try:
            # override, not activate/deactivate: a request rendered inside another render that set the
            # zone (a whole-site build's batch) leaves that zone as it found it.
            with timezone.override(site.tzinfo):
                return self.get_response(request)
        finally:
            SiteSettings.reset_current(token)


class RejectMalformedPathMiddleware:
    """Answer 404 for paths no entry can have (NUL bytes, which PostgreSQL cannot even compare)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path:
            raise Http404("No such page.")
        return self.get_response(request)


# The Content-Security-Policy headers of responses without a per-view policy or a nonce: built once while
# the settings are unchanged (django-csp builds the same string from the settings for every response).
_built_policies: dict[bool, str] = {}
_PER_VIEW = ("_csp_config", "_csp_update", "_csp_replace", "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro")


def _forget_policies(*, setting, **kwargs):
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _built_policies.clear()


setting_changed.connect(_forget_policies)


class CSPMiddleware(csp.middleware.CSPMiddleware):
    """django-csp's middleware; a response with nothing of its own gets the policy built once.

    A response with a per-view policy (django-csp's decorators) or whose
    request used a nonce, and Django's debug pages, go through django-csp's
    own code unchanged.
    """

    def process_response(self, request, response):
        if (
            getattr(request, "_csp_nonce", None) is not None
            or any(hasattr(response, name) for name in _PER_VIEW)
            or settings.DEBUG
        ):
            return super().process_response(request, response)
        for report_only, header, exempt, setting in _POLICIES:
            policy = _built_policies.get(report_only)
            if policy is None:
                policy = _built_policies[report_only] = csp.utils.build_policy(report_only=report_only)
            if not policy or header in response or getattr(response, exempt, False) is not False:
                continue
            prefixes = (getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES", None) or ()
            if not request.path_info.startswith(tuple(prefixes)):
                response[header] = policy
        # As django-csp: a nonce asked for after the header is written is an error, not a silent gap.
        request.csp_nonce = csp.middleware.CheckableLazyObject(self._csp_nonce_post_response)
        return response


_POLICIES = (
    (False, csp.constants.HEADER, "_csp_exempt", "CONTENT_SECURITY_POLICY"),
    (True, csp.constants.HEADER_REPORT_ONLY, "_csp_exempt_ro", "CONTENT_SECURITY_POLICY_REPORT_ONLY"),
)
