"""Revisions (every save, bounded, diff, restore) and autosave (never touches the entry) through HTTP."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from broadsheet.content.models import Post
from broadsheet.desk.diffs import diff_texts, highlight_words
from broadsheet.desk.models import Revision
from broadsheet.desk.revisions import MAX_REVISIONS, record_revision
from tests import factories
from tests.desk.conftest import editor_data

pytestmark = pytest.mark.django_db


def _save(client, post, **fields):
    data = editor_data(authors="author", action="draft", **fields)
    response = client.post(f"/desk/posts/{post.pk}/" if post else "/desk/posts/new/", data)
    assert response.status_code == 302, response.content[:300]
    return Post.objects.get(pk=post.pk) if post else Post.objects.latest("pk")


def test_every_save_keeps_a_revision(clients, users):
    client = clients["author"]
    post = _save(client, None, title="First", body="One.")
    post = _save(client, post, title="Second", body="One. Two.")
    _save(client, post, title="Second", body="One. Two.")  # nothing changed: no new revision
    revisions = list(Revision.objects.filter(post=post, kind="revision"))
    assert [(r.title, r.body, r.user.username) for r in revisions] == [("Second", "One. Two.", "author"), ("First", "One.", "author")]


def test_revisions_are_bounded(users):
    post = factories.post("Many", authors=[users["author"].author])
    for number in range(MAX_REVISIONS + 7):
        post.body = f"Version {number}"
        record_revision(post, users["author"])
    kept = list(Revision.objects.filter(post=post).values_list("body", flat=True))
    assert len(kept) == MAX_REVISIONS
    assert kept[0] == f"Version {MAX_REVISIONS + 6}" and kept[-1] == "Version 7"


def test_diff_between_any_two_revisions(clients, users):
    client = clients["author"]
    post = _save(client, None, title="Plan", body="Line one.\nThe cat sat.\nLine three.")
    post = _save(client, post, title="Plan", body="Line one.\nThe dog sat.\nLine three.\nLine four.")
    post = _save(client, post, title="Plan B", slug="plan", body="Line one.\nThe dog sat.\nLine three.\nLine four.")
    oldest, _middle, newest = sorted(Revision.objects.filter(post=post), key=lambda r: r.pk)
    response = client.get(f"/desk/posts/{post.pk}/revisions/", {"old": oldest.pk, "new": newest.pk})
    assert response.status_code == 200
    page = response.content.decode()
    assert "<del>cat</del>" in page and "<ins>dog</ins>" in page
    assert "<ins>Line four.</ins>" in page
    assert "Plan<ins> B</ins>" in page  # the title changed too
    assert "Unchanged: Slug, Excerpt, Format." in page


def test_diff_defaults_to_the_latest_two_and_escapes_text(clients, users):
    client = clients["author"]
    post = _save(client, None, body="<b>bold</b> start")
    post = _save(client, post, body="<b>bold</b> end <script>x</script>")
    page = client.get(f"/desk/posts/{post.pk}/revisions/").content.decode()
    assert "&lt;script&gt;" in page and "<script>x" not in page
    assert "<del>start</del>" in page and "<ins>end &lt;script&gt;x&lt;/script&gt;</ins>" in page


@pytest.mark.parametrize("query", [{"old": "abc"}, {"new": "-1"}])
def test_bad_revision_ids_are_a_400(clients, users, query):
    post = _save(clients["author"], None)
    assert clients["author"].get(f"/desk/posts/{post.pk}/revisions/", query).status_code == 400


def test_another_posts_revision_is_a_404(clients, users):
    first = _save(clients["author"], None, title="One")
    second = _save(clients["author"], None, title="Two")
    foreign = Revision.objects.filter(post=second).first()
    assert clients["author"].get(f"/desk/posts/{first.pk}/revisions/", {"old": foreign.pk}).status_code == 404
    assert clients["author"].post(f"/desk/posts/{first.pk}/revisions/{foreign.pk}/restore/").status_code == 404


def test_restore_is_itself_a_new_revision(clients, users):
    client = clients["author"]
    post = _save(client, None, title="Original", body="The first words.")
    post = _save(client, post, title="Rewritten", body="Other words entirely.")
    original = Revision.objects.filter(post=post).order_by("pk").first()
    response = client.post(f"/desk/posts/{post.pk}/revisions/{original.pk}/restore/")
    assert response.status_code == 302
    post.refresh_from_db()
    assert (post.title, post.body) == ("Original", "The first words.")
    assert "The first words." in post.rendered_html  # rendered again, as any save
    latest = Revision.objects.filter(post=post).first()
    assert latest.pk > original.pk and latest.body == "The first words."
    assert latest.note.startswith("Restored the revision of")
    assert Revision.objects.filter(post=post).count() == 3


def test_restore_needs_post_and_permission(clients, users):
    post = _save(clients["author"], None)
    revision = Revision.objects.get(post=post)
    assert clients["author"].get(f"/desk/posts/{post.pk}/revisions/{revision.pk}/restore/").status_code == 405
    assert clients["contributor"].post(f"/desk/posts/{post.pk}/revisions/{revision.pk}/restore/").status_code == 403


# -- autosave -------------------------------------------------------------------------------------


def test_autosave_never_changes_the_live_entry(clients, users, client):
    post = factories.post("Published words", authors=[users["author"].author], body="What readers see.")
    public_before = client.get(post.get_absolute_url()).content
    response = clients["author"].post(
        f"/desk/posts/{post.pk}/autosave/",
        {"title": "Half-finished", "body": "What I am typing.", "body_format": "markdown", "slug": "published-words"},
    )
    assert response.status_code == 200 and response.json()["saved"] is True
    post.refresh_from_db()
    assert (post.title, post.body) == ("Published words", "What readers see.")
    assert client.get(post.get_absolute_url()).content == public_before
    autosave = Revision.objects.get(post=post, kind="autosave")
    assert (autosave.title, autosave.body, autosave.user.username) == ("Half-finished", "What I am typing.", "author")
    # a second autosave replaces the first: one per user and entry
    clients["author"].post(f"/desk/posts/{post.pk}/autosave/", {"title": "Almost", "body": "More typing."})
    assert list(Revision.objects.filter(post=post, kind="autosave").values_list("title", flat=True)) == ["Almost"]


def test_the_editor_offers_a_newer_autosave_and_restores_it_into_the_form(clients, users):
    post = factories.post("Saved", authors=[users["author"].author], body="Saved text.", status="draft")
    Post.objects.filter(pk=post.pk).update(modified_at=timezone.now() - datetime.timedelta(minutes=5))
    clients["author"].post(f"/desk/posts/{post.pk}/autosave/", {"title": "Saved", "body": "Unsaved text."})
    page = clients["author"].get(f"/desk/posts/{post.pk}/").content.decode()
    assert "There is an autosave of this post" in page and "?restore=autosave" in page
    page = clients["author"].get(f"/desk/posts/{post.pk}/", {"restore": "autosave"}).content.decode()
    assert "Unsaved text.</textarea>" in page
    post.refresh_from_db()
    assert post.body == "Saved text."  # restoring fills the editor; only saving changes the post
    # saving discards the autosave
    _save(clients["author"], post, title="Saved", body="Unsaved text.")
    assert not Revision.objects.filter(post=post, kind="autosave").exists()
    assert "There is an autosave" not in clients["author"].get(f"/desk/posts/{post.pk}/").content.decode()


def test_autosave_of_unchanged_text_stores_nothing(clients, users):
    post = factories.post("Same", authors=[users["author"].author], body="Body.", status="draft")
    response = clients["author"].post(
        f"/desk/posts/{post.pk}/autosave/",
        {"title": "Same", "slug": post.slug, "body": "Body.", "body_format": "markdown", "excerpt": ""},
    )
    assert response.json()["saved"] is False
    assert not Revision.objects.filter(kind="autosave").exists()


def test_autosave_of_a_new_post_is_offered_on_the_next_new_post(clients, users):
    response = clients["contributor"].post("/desk/posts/new/autosave/", {"title": "Draft idea", "body": "Notes."})
    assert response.json()["saved"] is True
    assert not Post.objects.exists()  # no entry is made by an autosave
    page = clients["contributor"].get("/desk/posts/new/").content.decode()
    assert "There is an autosave of this post" in page
    page = clients["contributor"].get("/desk/posts/new/", {"restore": "autosave"}).content.decode()
    assert 'value="Draft idea"' in page
    # others do not see it
    assert "There is an autosave" not in clients["author"].get("/desk/posts/new/").content.decode()
    # the first save of a new post clears it
    clients["contributor"].post("/desk/posts/new/", editor_data(title="Draft idea", authors="contributor"))
    assert not Revision.objects.filter(kind="autosave").exists()


def test_autosave_rejects_oversized_input(clients, users):
    response = clients["author"].post("/desk/posts/new/autosave/", {"title": "x" * 1001})
    assert response.status_code == 400
    assert response.json()["saved"] is False


# -- the diff itself ------------------------------------------------------------------------------


def test_diff_rows_fold_unchanged_stretches():
    old = "\n".join(f"line {n}" for n in range(40))
    new = old.replace("line 20", "line twenty")
    rows = diff_texts(old, new)
    kinds = [row.kind for row in rows]
    assert kinds == ["gap"] + ["same"] * 3 + ["changed"] + ["same"] * 3 + ["gap"]
    assert rows[0].skipped == 17 and rows[-1].skipped == 16
    changed = rows[4]
    assert (changed.old_number, changed.new_number) == (21, 21)
    assert str(changed.old) == "line <del>20</del>" and str(changed.new) == "line <ins>twenty</ins>"


def test_word_highlighting_escapes_and_bounds_work():
    old, new = highlight_words("a <b> c", "a <i> c")
    assert str(old) == "a &lt;<del>b</del>&gt; c" and str(new) == "a &lt;<ins>i</ins>&gt; c"
    long_old, long_new = highlight_words("word " * 5000, "other " * 5000)
    assert str(long_old).startswith("<del>") and str(long_new).startswith("<ins>")
