"""A page store in a temporary folder, and a small site whose pages span several listing pages."""

from __future__ import annotations

import pytest

from broadsheet.comments.models import Comment
from broadsheet.publishing import changes, publish
from broadsheet.publishing.publish import get_store, refresh_store
from tests import factories


@pytest.fixture
def store(settings, tmp_path):
    """An empty, existing page store (so changes are tracked), deferred pages rendered inline."""
    settings.PAGE_STORE = tmp_path / "pages"
    changes.reset()
    mode = publish.DEFERRED_MODE["mode"]
    publish.DEFERRED_MODE["mode"] = "inline"
    page_store = get_store()
    page_store.create()
    yield page_store
    page_store.close()
    publish._stores.clear()
    publish.DEFERRED_MODE["mode"] = mode
    changes.reset()


@pytest.fixture
def publishing(django_capture_on_commit_callbacks):
    """Run a change as a committed transaction would: ``with publishing(): ...`` renders after it."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def build_small_site():
    """Seven posts over three months, nested categories, tags, two authors, a page and comments."""
    factories.site(title="The Long View", tagline="Essays", posts_per_page=2)
    ann = factories.author("Ann Archer")
    bob = factories.author("Bob Baker")
    politics = factories.category("Politics")
    europe = factories.category("Europe", parent=politics)
    cities = factories.category("Cities")
    housing = factories.tag("Housing")
    rail = factories.tag("Rail")
    posts = {
        "may": factories.post("In May", "2010-05-03 09:00", authors=[ann], categories=[politics], tags=[housing]),
        "june": factories.post("In June", "2010-06-01 09:00", authors=[bob], categories=[europe], tags=[rail]),
        "june2": factories.post("Late June", "2010-06-20 09:00", authors=[ann, bob], categories=[cities]),
        "july1": factories.post("July one", "2010-07-01 09:00", authors=[ann], categories=[europe],
                                tags=[housing, rail]),  # fmt: skip
        "july2": factories.post("July two", "2010-07-02 09:00", authors=[bob], categories=[cities], tags=[housing]),
        "july3": factories.post("July three", "2010-07-02 18:00", authors=[ann], categories=[politics]),
        "july4": factories.post("July four", "2010-07-28 09:00", authors=[bob], categories=[cities],
                                body="Opening.\n\n<!--more-->\n\nThe rest."),  # fmt: skip
    }
    about = factories.page("About")
    Comment.objects.create(post=posts["july1"], author_name="Reader", body="Agreed.", status="approved")
    return posts, about


@pytest.fixture
def site(db, store):
    """The small site, rendered into the store."""
    posts, about = build_small_site()
    changes.reset()  # the setup itself is not a change to render (its commit never comes in a test)
    refresh_store(store, workers=1)
    return posts, about
