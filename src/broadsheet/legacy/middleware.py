from django.http import HttpResponsePermanentRedirect
from django.utils.encoding import iri_to_uri

from broadsheet.legacy.resolvers import resolve


class LegacyRedirectMiddleware:
    """Turn a 404 for an old WordPress address into a 301 to where its content lives now.

    It runs only on what Broadsheet's own routes did not answer, so it costs nothing
    on pages that exist.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 404 or request.method not in ("GET", "HEAD"):
            return response
        location = resolve(request)
        if location and location != request.get_full_path():
            return HttpResponsePermanentRedirect(iri_to_uri(location))
        return response
