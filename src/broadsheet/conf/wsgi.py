import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "broadsheet.conf.settings")

application = get_wsgi_application()

# Stored pages are answered before Django's request cycle (see broadsheet.publishing.serve).
from broadsheet.publishing.serve import wrap  # noqa: E402  (after Django is set up)

application = wrap(application)
