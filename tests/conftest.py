import pathlib

import pytest
from django.core.cache import cache

from broadsheet.content.models import SiteSettings
from broadsheet.theme.context import clear_sidebar_cache

REPO = pathlib.Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


@pytest.fixture(autouse=True)
def _fresh_state():
    """Each test starts with no cached site-wide parts and no remembered settings."""
    cache.clear()
    clear_sidebar_cache()
    SiteSettings.reset_current()
    yield
    SiteSettings.reset_current()


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium, launched once per test module (see tests/browser.py)."""
    from tests.browser import launched_chromium

    with launched_chromium() as chromium:
        yield chromium
