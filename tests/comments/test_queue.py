"""The moderation queue under /desk/comments/: who sees and does what, and what each action does."""

import pytest
from django.test import Client

from broadsheet.comments.models import Comment
from broadsheet.content.models import SiteSettings
from tests import factories
from tests.comments.conftest import add_comment, make_user, recent

pytestmark = pytest.mark.django_db
Status = Comment.Status
QUEUE = "/desk/comments/"


@pytest.fixture
def people(db, writer):
    return {
        "administrator": make_user("administrator"),
        "editor": make_user("editor"),
        "author": writer,  # the author of ``post``
        "other_author": make_user("author", "other"),
        "contributor": make_user("contributor"),
    }


@pytest.fixture
def comments(post, site):
    page = factories.page("Colophon", published_at=recent(10))
    other = factories.post("Someone else's", recent(3))
    return {
        "own": add_comment(post, status=Status.PENDING, author_name="On own post"),
        "other": add_comment(other, status=Status.PENDING, author_name="On other post"),
        "page": add_comment(page, status=Status.PENDING, author_name="On a page"),
    }


def _client(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


# -- who may do what ------------------------------------------------------------------------

ALLOWED = {
    # role: which comments it may moderate
    "administrator": {"own", "other", "page"},
    "editor": {"own", "other", "page"},
    "author": {"own"},
    "other_author": set(),
    "contributor": set(),
}


@pytest.mark.parametrize("role", sorted(ALLOWED))
def test_the_queue_lists_what_each_role_may_moderate(people, comments, role):
    response = _client(people[role]).get(QUEUE, {"status": "pending"})
    assert response.status_code == 200
    html = response.content.decode()
    listed = {key for key, comment in comments.items() if f'id="comment-{comment.pk}"' in html}
    assert listed == ALLOWED[role]


@pytest.mark.parametrize("role", sorted(ALLOWED))
@pytest.mark.parametrize("target", ["own", "other", "page"])
def test_actions_are_allowed_or_forbidden_by_role(people, comments, role, target):
    comment = comments[target]
    response = _client(people[role]).post(f"{QUEUE}{comment.pk}/approve/")
    comment.refresh_from_db()
    if target in ALLOWED[role]:
        assert response.status_code == 303 and comment.status == Status.APPROVED
    else:
        assert response.status_code == 403 and comment.status == Status.PENDING


@pytest.mark.parametrize(
    "path, method",
    [("", "get"), ("{pk}/approve/", "post"), ("bulk/", "post"), ("{pk}/reply/", "post"), ("{pk}/edit/", "get")],
)
def test_anonymous_visitors_are_sent_to_the_login_page(comments, path, method):
    url = QUEUE + path.format(pk=comments["own"].pk)
    response = getattr(Client(), method)(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=")
    assert Comment.objects.get(pk=comments["own"].pk).status == Status.PENDING


@pytest.mark.parametrize("role", ["contributor", "other_author"])
@pytest.mark.parametrize(
    "path, data",
    [("{pk}/trash/", {}), ("{pk}/spam/", {}), ("{pk}/reply/", {"body": "Hi"}), ("{pk}/edit/", {"author": "X", "body": "Y"})],
)
def test_those_who_may_not_moderate_get_403_on_every_action(people, comments, role, path, data):
    comment = comments["own"]
    response = _client(people[role]).post(QUEUE + path.format(pk=comment.pk), data)
    assert response.status_code == 403
    assert Comment.objects.count() == 3
    comment.refresh_from_db()
    assert (comment.status, comment.author_name) == (Status.PENDING, "On own post")


def test_contributors_are_told_they_have_nothing_to_moderate(people, comments):
    html = _client(people["contributor"]).get(QUEUE).content.decode()
    assert "There are no comments for you to moderate" in html and 'id="bulk-form"' not in html


def test_the_desk_menu_has_comments(people):
    html = _client(people["contributor"]).get("/desk/").content.decode()
    assert f'<a href="{QUEUE}">Comments</a>' in html


def test_actions_need_post_and_csrf(people, comments):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["editor"])
    pk = comments["own"].pk
    assert client.get(f"{QUEUE}{pk}/approve/").status_code == 405
    assert client.post(f"{QUEUE}{pk}/approve/").status_code == 403
    queue = client.get(QUEUE).content.decode()
    token = queue.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    assert client.post(f"{QUEUE}{pk}/approve/", {"csrfmiddlewaretoken": token}).status_code == 303
    assert Comment.objects.get(pk=pk).status == Status.APPROVED


def test_unknown_actions_and_comments_are_not_found(people, comments):
    client = _client(people["editor"])
    assert client.post(f"{QUEUE}{comments['own'].pk}/explode/").status_code == 404
    assert client.post(f"{QUEUE}999999/approve/").status_code == 404


# -- the list ----------------------------------------------------------------------------


def test_tabs_show_counts_and_filter(people, post, comments):
    add_comment(post, author_name="Approved one")
    add_comment(post, status=Status.SPAM, author_name="Spammer")
    add_comment(post, status=Status.TRASH, author_name="Binned")
    add_comment(post, kind=Comment.Kind.NOTE, status=Status.PENDING, author_name="Editorial")
    client = _client(people["editor"])
    html = client.get(QUEUE).content.decode()
    for label, count in (("All", 4), ("Pending", 3), ("Approved", 1), ("Spam", 1), ("Trash", 1)):
        assert f'{label} <span class="count">({count})</span>' in html, label
    assert "Editorial" not in html and "Spammer" not in html and "Binned" not in html
    spam = client.get(QUEUE, {"status": "spam"}).content.decode()
    assert "Spammer" in spam and "On own post" not in spam and "Delete permanently" in spam


def test_each_row_shows_post_author_email_address_and_text(people, post):
    add_comment(post, author_name="Mallory <b>", author_email="m@example.net", author_ip="203.0.113.9", body="Some <script>text</script>")
    html = _client(people["editor"]).get(QUEUE).content.decode()
    assert "Mallory &lt;b&gt;" in html and "m@example.net" in html and "203.0.113.9" in html
    assert "Some &lt;script&gt;text&lt;/script&gt;" in html
    assert f'<a href="{post.get_absolute_url()}">An essay</a>' in html


def test_search(people, post):
    add_comment(post, author_name="Findable", body="needle in the text")
    add_comment(post, author_name="Other", body="haystack")
    html = _client(people["editor"]).get(QUEUE, {"s": "needle"}).content.decode()
    assert "Findable" in html and ">Other<" not in html


# -- each action ------------------------------------------------------------------------------


def test_the_life_of_a_comment_through_the_queue(client, people, post, comments):
    client = _client(people["editor"])
    comment = comments["own"]
    steps = [
        ("approve", Status.APPROVED), ("unapprove", Status.PENDING), ("spam", Status.SPAM),
        ("unspam", Status.PENDING), ("trash", Status.TRASH), ("restore", Status.PENDING),
    ]  # fmt: skip
    for action, status in steps:
        response = client.post(f"{QUEUE}{comment.pk}/{action}/", {"next": f"{QUEUE}?status=all"})
        assert response.status_code == 303 and response["Location"] == f"{QUEUE}?status=all"
        comment.refresh_from_db()
        assert comment.status == status, action
    client.post(f"{QUEUE}{comment.pk}/delete/")
    assert Comment.objects.filter(pk=comment.pk).exists()  # only spam or trash is deleted
    client.post(f"{QUEUE}{comment.pk}/trash/")
    client.post(f"{QUEUE}{comment.pk}/delete/")
    assert not Comment.objects.filter(pk=comment.pk).exists()


def test_approving_shows_the_comment_and_bumps_the_content_version(people, post, comments):
    before = SiteSettings.load().content_version
    public = Client()
    assert "On own post" not in public.get(post.get_absolute_url()).content.decode()
    _client(people["author"]).post(f"{QUEUE}{comments['own'].pk}/approve/")
    assert SiteSettings.load().content_version > before
    assert "On own post" in public.get(post.get_absolute_url()).content.decode()


def test_the_next_address_must_be_the_queue(people, comments):
    client = _client(people["editor"])
    for target in ("https://evil.example/", "//evil.example/desk/comments/", "/elsewhere/"):
        response = client.post(f"{QUEUE}{comments['own'].pk}/unapprove/", {"next": target})
        assert response["Location"] == QUEUE, target


def test_bulk_actions(people, comments):
    client = _client(people["editor"])
    ids = [comments["own"].pk, comments["page"].pk]
    response = client.post(f"{QUEUE}bulk/", {"action": "approve", "ids": ids})
    assert response.status_code == 303
    assert set(Comment.objects.filter(status=Status.APPROVED).values_list("pk", flat=True)) == set(ids)
    client.post(f"{QUEUE}bulk/", {"action": "spam", "ids": [c.pk for c in comments.values()]})
    assert Comment.objects.filter(status=Status.SPAM).count() == 3


def test_bulk_actions_are_all_or_nothing_on_permissions(people, comments):
    client = _client(people["author"])
    response = client.post(f"{QUEUE}bulk/", {"action": "trash", "ids": [comments["own"].pk, comments["other"].pk]})
    assert response.status_code == 403
    assert not Comment.objects.filter(status=Status.TRASH).exists()


def test_bulk_input_is_checked(people, comments):
    client = _client(people["editor"])
    assert client.post(f"{QUEUE}bulk/", {"action": "approve", "ids": ["1; drop"]}).status_code == 400
    no_action = client.post(f"{QUEUE}bulk/", {"action": "", "ids": [comments["own"].pk]}, follow=True)
    assert "Choose an action" in no_action.content.decode()


def test_reply_from_the_queue(people, post, comments):
    client = _client(people["author"])
    held = comments["own"]
    response = client.post(f"{QUEUE}{held.pk}/reply/", {"body": "Thanks for writing"})
    assert response.status_code == 303
    reply = Comment.objects.get(body="Thanks for writing")
    held.refresh_from_db()
    assert held.status == Status.APPROVED  # approve and reply, as WordPress
    assert (reply.parent, reply.status, reply.user, reply.author_name, reply.post) == (
        held, Status.APPROVED, people["author"], "Writer", post,
    )  # fmt: skip
    assert "Thanks for writing" in Client().get(post.get_absolute_url()).content.decode()


def test_an_empty_or_too_long_reply_is_refused(people, comments):
    client = _client(people["editor"])
    pk = comments["own"].pk
    empty = client.post(f"{QUEUE}{pk}/reply/", {"body": ""}, follow=True)
    assert "Please type your reply." in empty.content.decode()
    long = client.post(f"{QUEUE}{pk}/reply/", {"body": "x" * 65526}, follow=True)
    assert "Your reply is too long" in long.content.decode()
    assert Comment.objects.count() == 3


def test_edit_a_comment(people, post, comments):
    client = _client(people["editor"])
    comment = comments["own"]
    form = client.get(f"{QUEUE}{comment.pk}/edit/")
    assert form.status_code == 200 and 'value="On own post"' in form.content.decode()
    response = client.post(
        f"{QUEUE}{comment.pk}/edit/",
        {"author": "Renamed", "email": "new@example.net", "url": "https://new.example", "body": "New\n\ntext"},
    )
    assert response.status_code == 303
    comment.refresh_from_db()
    assert (comment.author_name, comment.author_email, comment.author_url) == ("Renamed", "new@example.net", "https://new.example")
    assert comment.rendered_html == "<p>New</p>\n<p>text</p>"


@pytest.mark.parametrize(
    "field, value, message",
    [("author", "x" * 246, "too long"), ("email", "nope", "valid email"), ("url", "javascript:x", "valid website"), ("author", "", "needs a name")],
)
def test_edit_refuses_bad_input(people, comments, field, value, message):
    client = _client(people["editor"])
    comment = comments["own"]
    data = {"author": "Kept", "email": "", "url": "", "body": "Kept"}
    data[field] = value
    response = client.post(f"{QUEUE}{comment.pk}/edit/", data)
    assert response.status_code == 400 and message in response.content.decode()
    comment.refresh_from_db()
    assert comment.author_name == "On own post"
