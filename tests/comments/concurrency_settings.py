"""Settings for the concurrency test's server: the real ones, with the rate limit raised.

Twenty test clients all come from 127.0.0.1, so the per-address limit (5 a
minute) would refuse almost everything and the test would prove nothing. The
limit's query still runs on every post; only its ceiling is raised.
"""

from broadsheet.conf.settings import *  # noqa: F403

COMMENTS_RATE_LIMITS = ((60, 1_000_000),)
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
