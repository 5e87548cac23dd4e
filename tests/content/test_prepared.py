"""Prepared queries (content.prepared): the ORM's own SQL compiled once, giving what the ORM gives.

Each test compares a prepared read with the queryset or prefetch it replaces,
on data chosen to tell them apart (sticky and protected posts, scheduled and
draft posts, equal publication times, comments of every status, terms whose
names sort differently from their ids).
"""

import datetime

import pytest
from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone

from broadsheet.archives.views import PreparedListing, _summaries
from broadsheet.comments.models import Comment
from broadsheet.content import views as content_views
from broadsheet.content.models import Post, PostAuthor
from broadsheet.content.prepared import PreparedQuery, attach_bylines, attach_terms, prepared
from tests import factories
from tests.comments.conftest import add_comment

pytestmark = pytest.mark.django_db

START = datetime.datetime(2011, 3, 1, 9, tzinfo=datetime.UTC)


def _site():
    factories.site(posts_per_page=4)
    ann, bob = factories.author("Ann Archer"), factories.author("Bob Baker")
    zebra, apple = factories.tag("Zebra"), factories.tag("Apple")
    news = factories.category("News")
    world = factories.category("World", parent=news)
    posts = []
    for n in range(9):
        when = START + datetime.timedelta(hours=n // 2)  # pairs share a publication time
        post = factories.post(
            f"Essay {n}", when, authors=[bob, ann][: 1 + n % 2], categories=[world, news][: 1 + n % 2],
            tags=[zebra, apple][: n % 3], sticky=n == 3,
        )  # fmt: skip
        posts.append(post)
    factories.post("Protected", START + datetime.timedelta(hours=1), password="secret")
    factories.post("Draft", START + datetime.timedelta(hours=2), status="draft")
    factories.post("Scheduled", timezone.now() + datetime.timedelta(days=3), status="future")
    add_comment(posts[2])
    add_comment(posts[2], body="Again")
    add_comment(posts[2], status=Comment.Status.PENDING, body="Held")
    add_comment(posts[4], kind=Comment.Kind.NOTE, body="Note")
    return posts


def _rows(posts):
    return [(post.pk, post.title, post.sticky, post.published_at, post.comment_count, post.has_fold) for post in posts]


def test_listing_pages_are_the_querysets_pages():
    _site()
    now = timezone.now()

    def build(now):
        return _summaries(now).order_by("-sticky", "-published_at", "-id")

    listing = PreparedListing(("home", "/%year%/"), build, {"now": now})
    orm = build(now)
    for start, stop in ((0, 5), (4, 9), (8, 13), (0, None)):
        prepared_page = listing[start:stop]
        orm_page = list(orm[start:stop].prefetch_related(
            Prefetch("authorships", PostAuthor.objects.select_related("author").order_by("position"),
                     to_attr="ordered_authorships")))  # fmt: skip
        assert _rows(prepared_page) == _rows(orm_page)
        assert [post.byline for post in prepared_page] == [post.byline for post in orm_page]
        assert all("body" in post.get_deferred_fields() for post in prepared_page)
        assert all(not post._state.adding and post._state.db == "default" for post in prepared_page)
    assert listing.count() == 9 and len(listing) == 9
    first = listing[0:1][0]
    assert first.body == Post.objects.get(pk=first.pk).body  # a deferred field loads as on the ORM's instance
    assert _rows([listing[0]]) == _rows([orm[0]])


def test_a_prepared_query_takes_each_runs_values():
    posts = _site()

    def build(now, since, until):
        return _summaries(now).filter(published_at__gte=since, published_at__lt=until)

    query = PreparedQuery(build, {"now": datetime.datetime, "since": datetime.datetime, "until": datetime.datetime},
                          "default")  # fmt: skip
    for hours in ((0, 1), (1, 3), (0, 48), (10, 20)):
        values = {"now": timezone.now(), "since": START + datetime.timedelta(hours=hours[0]),
                  "until": START + datetime.timedelta(hours=hours[1])}  # fmt: skip
        assert _rows(query.instances(**values)) == _rows(build(**values))
    before_any = {"now": START - datetime.timedelta(hours=1), "since": START, "until": START + datetime.timedelta(days=1)}
    assert query.instances(**before_any) == []  # "now" is a parameter, not the time it was prepared
    assert posts[0].pk in [post.pk for post in query.instances(**{**before_any, "now": timezone.now()})]


def test_a_stand_in_missing_from_the_sql_is_refused():
    factories.site()

    with pytest.raises(ValueError, match="slug"):
        PreparedQuery(lambda now, slug: Post.objects.live(now), {"now": datetime.datetime, "slug": str}, "default")


def test_terms_and_bylines_as_the_prefetch_gives_them(django_assert_num_queries):
    posts = _site()
    loaded = list(Post.objects.filter(pk__in=[post.pk for post in posts]))
    with django_assert_num_queries(2):
        attach_bylines(loaded)
        attach_terms(loaded)
    reference = list(Post.objects.filter(pk__in=[post.pk for post in posts]))
    prefetch_related_objects(reference, "categories", "tags", Prefetch(
        "authorships", PostAuthor.objects.select_related("author").order_by("position"), to_attr="ordered_authorships"))
    with django_assert_num_queries(0):
        for mine, theirs in zip(loaded, reference, strict=True):
            assert [c.path for c in mine.categories.all()] == [c.path for c in theirs.categories.all()]
            assert [t.name for t in mine.tags.all()] == [t.name for t in theirs.tags.all()]
            assert [t.pk for t in mine.tags.all()] == [t.pk for t in theirs.tags.all()]
            assert mine.byline == theirs.byline
    by_pk = {post.pk: post for post in loaded}
    assert [t.name for t in by_pk[posts[2].pk].tags.all()] == ["Apple", "Zebra"]  # by name, not by id


def test_neighbours_are_those_of_the_orm():
    posts = _site()
    listed = Post.objects.listed()
    for post in posts:
        found = content_views._neighbours(post)
        previous = listed.filter(published_at__lt=post.published_at).order_by("-published_at", "-id").first()
        following = listed.filter(published_at__gt=post.published_at).order_by("published_at", "id").first()
        assert (getattr(found["previous_post"], "pk", None), getattr(found["next_post"], "pk", None)) == (
            getattr(previous, "pk", None), getattr(following, "pk", None)
        ), post.title


def test_neighbours_carry_what_their_permalinks_need():
    factories.site(permalink_structure="/%category%/%author%/%postname%/")
    news = factories.category("News")
    ann = factories.author("Ann Archer")
    first = factories.post("First", START, authors=[ann], categories=[news])
    second = factories.post("Second", START + datetime.timedelta(days=1), authors=[ann], categories=[news])
    assert content_views._neighbours(second)["previous_post"].get_absolute_url() == first.get_absolute_url()
    assert first.get_absolute_url() == "/news/ann-archer/first/"


def test_a_post_id_beyond_any_integer_is_not_found(client):
    factories.site(permalink_structure="/archives/%post_id%/")
    post = factories.post("Numbered", START)
    assert client.get(f"/archives/{post.pk}/").status_code == 200
    assert client.get("/archives/99999999999999999999/").status_code == 404


def test_prepared_queries_are_kept_per_shape():
    factories.site()
    build = lambda now: Post.objects.live(now)  # noqa: E731
    first = prepared(("test-shape",), build, {"now": datetime.datetime})
    assert prepared(("test-shape",), build, {"now": datetime.datetime}) is first
    assert prepared(("test-shape", 2), build, {"now": datetime.datetime}) is not first
