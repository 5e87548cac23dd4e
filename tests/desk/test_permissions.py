"""Who may do what in the desk, through HTTP: every role against every action, allowed and forbidden.

WordPress's rules: contributors write and submit their own drafts; authors also publish their own
posts; editors do anything to anyone's posts and pages; administrators also change settings.
A forbidden action is a 403, never a quiet downgrade; the anonymous are sent to sign in.
"""

from __future__ import annotations

import pytest

from broadsheet.content.models import Category, Page, Post, Status
from tests import factories
from tests.desk.conftest import editor_data, page_data

pytestmark = pytest.mark.django_db

ROLES = ["administrator", "editor", "author", "contributor", None]


def _post_of(user, status="draft", **fields) -> Post:
    return factories.post(f"{status} of {user.username}", authors=[user.author], status=status, **fields)


def _expect(response, allowed: bool, role):
    if role is None:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], response.status_code
    elif allowed:
        assert response.status_code in (200, 302), (role, response.status_code, response.content[:500])
    else:
        assert response.status_code == 403, (role, response.status_code)


# -- opening the desk's areas ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "path, allowed_roles",
    [
        ("/desk/", {"administrator", "editor", "author", "contributor"}),
        ("/desk/posts/", {"administrator", "editor", "author", "contributor"}),
        ("/desk/posts/new/", {"administrator", "editor", "author", "contributor"}),
        ("/desk/pages/", {"administrator", "editor"}),
        ("/desk/pages/new/", {"administrator", "editor"}),
        ("/desk/settings/", {"administrator"}),
        ("/desk/tags.json?q=a", {"administrator", "editor", "author", "contributor"}),
        ("/desk/posts/slug/?title=Hello", {"administrator", "editor", "author", "contributor"}),
        ("/desk/pages/slug/?title=Hello", {"administrator", "editor"}),
    ],
)
@pytest.mark.parametrize("role", ROLES)
def test_areas(clients, path, allowed_roles, role):
    response = clients[role].get(path)
    _expect(response, role in allowed_roles, role)
    if role in allowed_roles:
        assert response.status_code == 200


# -- posts: create, submit, publish, schedule -------------------------------------------------------

CREATE = {
    "draft": {"administrator", "editor", "author", "contributor"},
    "pending": {"administrator", "editor", "author", "contributor"},
    "publish": {"administrator", "editor", "author"},
    "schedule": {"administrator", "editor", "author"},
}


@pytest.mark.parametrize("action", list(CREATE))
@pytest.mark.parametrize("role", ROLES)
def test_create_post_with_each_action(clients, users, action, role):
    author_slug = role or "author"
    data = editor_data(authors=author_slug, action=action, publish_at="2099-01-01T09:00" if action == "schedule" else "")
    response = clients[role].post("/desk/posts/new/", data)
    allowed = role in CREATE[action]
    _expect(response, allowed, role)
    if allowed:
        post = Post.objects.get()
        expected = {"draft": Status.DRAFT, "pending": Status.PENDING, "publish": Status.PUBLISHED, "schedule": Status.SCHEDULED}
        assert post.status == expected[action]
    else:
        assert not Post.objects.exists()  # nothing saved: not even a draft


def test_contributor_publishing_is_refused_not_downgraded(clients, users):
    """A contributor's Publish on their own draft is a 403 and the draft stays exactly as it was."""
    post = _post_of(users["contributor"], body="Before.")
    response = clients["contributor"].post(
        f"/desk/posts/{post.pk}/", editor_data(title="Changed", body="After.", authors="contributor", action="publish")
    )
    assert response.status_code == 403
    post.refresh_from_db()
    assert (post.status, post.title, post.body) == (Status.DRAFT, "draft of contributor", "Before.")


def test_contributor_submits_for_review(clients, users):
    post = _post_of(users["contributor"])
    response = clients["contributor"].post(f"/desk/posts/{post.pk}/", editor_data(authors="contributor", action="pending"))
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.status == Status.PENDING
    # ... and may still change it while it waits
    response = clients["contributor"].post(
        f"/desk/posts/{post.pk}/", editor_data(title="Better", authors="contributor", action="pending")
    )
    assert response.status_code == 302
    post.refresh_from_db()
    assert (post.status, post.title) == (Status.PENDING, "Better")


# -- editing own and others' posts -------------------------------------------------------------------

EDIT_OWN_DRAFT = {"administrator", "editor", "author", "contributor"}
EDIT_OWN_PUBLISHED = {"administrator", "editor", "author"}
EDIT_OTHERS = {"administrator", "editor"}


@pytest.mark.parametrize("role", ROLES[:-1])
def test_edit_own_draft(clients, users, role):
    post = _post_of(users[role])
    _expect(clients[role].get(f"/desk/posts/{post.pk}/"), role in EDIT_OWN_DRAFT, role)
    response = clients[role].post(f"/desk/posts/{post.pk}/", editor_data(title="New title", authors=role))
    _expect(response, role in EDIT_OWN_DRAFT, role)
    post.refresh_from_db()
    assert post.title == "New title"


@pytest.mark.parametrize("role", ROLES[:-1])
def test_edit_own_published(clients, users, role):
    post = _post_of(users[role], status="publish")
    allowed = role in EDIT_OWN_PUBLISHED
    _expect(clients[role].get(f"/desk/posts/{post.pk}/"), allowed, role)
    response = clients[role].post(f"/desk/posts/{post.pk}/", editor_data(title="New title", authors=role, action="update"))
    _expect(response, allowed, role)
    post.refresh_from_db()
    assert (post.title == "New title") is allowed
    assert post.status == Status.PUBLISHED


@pytest.mark.parametrize("status", ["draft", "pending", "publish"])
@pytest.mark.parametrize("role", ROLES)
def test_edit_someone_elses_post(clients, users, role, status):
    other = factories.author("Guest Writer")
    post = factories.post("Theirs", authors=[other], status=status)
    allowed = role in EDIT_OTHERS
    _expect(clients[role].get(f"/desk/posts/{post.pk}/"), allowed, role)
    action = "update" if status == "publish" else status
    response = clients[role].post(f"/desk/posts/{post.pk}/", editor_data(title="Mine now", authors="guest-writer", action=action))
    _expect(response, allowed, role)
    post.refresh_from_db()
    assert (post.title == "Mine now") is allowed


@pytest.mark.parametrize("role", ROLES)
def test_publish_someone_elses_pending_post(clients, users, role):
    post = _post_of(users["contributor"], status="pending")
    response = clients[role].post(f"/desk/posts/{post.pk}/", editor_data(authors="contributor", action="publish"))
    _expect(response, role in EDIT_OTHERS, role)
    post.refresh_from_db()
    assert (post.status == Status.PUBLISHED) is (role in EDIT_OTHERS)


def test_non_editors_cannot_hand_their_post_over(clients, users):
    post = _post_of(users["author"])
    response = clients["author"].post(f"/desk/posts/{post.pk}/", editor_data(authors="editor"))
    assert response.status_code == 400
    assert "Keep yourself among the authors" in response.content.decode()
    assert [a.slug for a in Post.objects.get(pk=post.pk).ordered_authors] == ["author"]


# -- deleting ---------------------------------------------------------------------------------------

DELETE_OWN_DRAFT = {"administrator", "editor", "author", "contributor"}
DELETE_OWN_PUBLISHED = {"administrator", "editor", "author"}


@pytest.mark.parametrize("status, allowed_roles", [("draft", DELETE_OWN_DRAFT), ("publish", DELETE_OWN_PUBLISHED)])
@pytest.mark.parametrize("role", ROLES[:-1])
def test_delete_own_post(clients, users, role, status, allowed_roles):
    post = _post_of(users[role], status=status)
    allowed = role in allowed_roles
    _expect(clients[role].get(f"/desk/posts/{post.pk}/delete/"), allowed, role)
    response = clients[role].post(f"/desk/posts/{post.pk}/delete/")
    _expect(response, allowed, role)
    assert Post.objects.filter(pk=post.pk).exists() is not allowed


@pytest.mark.parametrize("role", ROLES)
def test_delete_someone_elses_post(clients, users, role):
    post = factories.post("Theirs", authors=[factories.author("Someone")], status="draft")
    response = clients[role].post(f"/desk/posts/{post.pk}/delete/")
    _expect(response, role in EDIT_OTHERS, role)
    assert Post.objects.filter(pk=post.pk).exists() is (role not in EDIT_OTHERS)


def test_delete_asks_first(clients, users):
    post = _post_of(users["author"])
    response = clients["author"].get(f"/desk/posts/{post.pk}/delete/")
    assert response.status_code == 200
    assert "Delete permanently" in response.content.decode()
    assert Post.objects.filter(pk=post.pk).exists()


# -- categories, pages, settings -------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES[:-1])
def test_only_editors_create_categories(clients, users, role):
    response = clients[role].post("/desk/posts/new/", editor_data(authors=role, new_category="Fresh news"))
    allowed = role in ("administrator", "editor")
    _expect(response, allowed, role)
    assert Category.objects.filter(name="Fresh news").exists() is allowed
    if not allowed:
        assert not Post.objects.exists()


@pytest.mark.parametrize("role", ROLES[:-1])
def test_existing_categories_for_everyone(clients, users, role):
    books = factories.category("Books")
    response = clients[role].post("/desk/posts/new/", editor_data(authors=role, categories=[str(books.pk)]))
    assert response.status_code == 302
    assert list(Post.objects.get().categories.all()) == [books]


@pytest.mark.parametrize("action", ["draft", "publish"])
@pytest.mark.parametrize("role", ROLES)
def test_pages_are_editors_work(clients, users, role, action):
    response = clients[role].post("/desk/pages/new/", page_data(title="About us", action=action))
    allowed = role in EDIT_OTHERS
    _expect(response, allowed, role)
    assert Page.objects.filter(title="About us").exists() is allowed


@pytest.mark.parametrize("role", ROLES)
def test_edit_and_delete_pages(clients, users, role):
    page = factories.page("Contact")
    _expect(clients[role].get(f"/desk/pages/{page.pk}/"), role in EDIT_OTHERS, role)
    response = clients[role].post(f"/desk/pages/{page.pk}/delete/")
    _expect(response, role in EDIT_OTHERS, role)
    assert Page.objects.filter(pk=page.pk).exists() is (role not in EDIT_OTHERS)


@pytest.mark.parametrize("role", ROLES)
def test_settings_are_for_administrators(clients, site, role):
    _expect(clients[role].get("/desk/settings/"), role == "administrator", role)
    response = clients[role].post("/desk/settings/", {"title": "Taken over"})
    if role == "administrator":
        assert response.status_code == 400  # allowed in, but the form is incomplete
    else:
        _expect(response, False, role)
    site.refresh_from_db()
    assert site.title == "The Long View"  # the administrator's partial form is invalid: nothing saved


@pytest.mark.parametrize("role", ROLES)
def test_the_editors_endpoints_check_the_entry(clients, users, role):
    """Autosave, live preview and revisions of someone else's post: editors only."""
    post = factories.post("Theirs", authors=[factories.author("Other")], status="draft")
    allowed = role in EDIT_OTHERS
    for response in (
        clients[role].post(f"/desk/posts/{post.pk}/autosave/", {"title": "x", "body": "y"}),
        clients[role].post(f"/desk/posts/{post.pk}/preview/", {"body": "y"}),
        clients[role].get(f"/desk/posts/{post.pk}/revisions/"),
    ):
        _expect(response, allowed, role)
