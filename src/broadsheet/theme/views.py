"""The theme's error pages."""

from django.template.loader import render_to_string
from django.http import HttpResponseNotFound, HttpResponseServerError


def not_found(request, exception=None):
    return HttpResponseNotFound(render_to_string("404.html", {"listing_title": "Page not found"}, request=request))


def server_error(request):
    # No database or context processors here: the error may be theirs.
    return HttpResponseServerError(render_to_string("500.html"))
