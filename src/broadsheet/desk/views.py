"""The desk's views: thin, with permission checks from ``broadsheet.accounts.capabilities``."""

from django.contrib.auth.decorators import login_required
from django.template.response import TemplateResponse

from broadsheet.accounts.capabilities import Capability, require


@login_required
def dashboard(request):
    require(request.user, Capability.READ_DESK)
    return TemplateResponse(request, "desk/dashboard.html", {})
