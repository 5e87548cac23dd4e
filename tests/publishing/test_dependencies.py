"""Each kind of change renders exactly the pages that show it, removes what no longer exists, and keeps old URLs.

The small site (conftest) lists two posts a page. Newest first, its posts are
july4, july3, july2, july1, june2, june, may; july1 has a comment.
"""

import pytest
from django.test import Client

from broadsheet.comments.models import Comment
from broadsheet.content.models import Post
from broadsheet.legacy.models import OldPath
from broadsheet.publishing.build import check_store
from broadsheet.publishing.publish import recent_reports
from tests import factories

JULY1 = "/2010/07/01/july-one/"


def _apply(publishing, change):
    recent_reports.clear()
    with publishing():
        change()
    assert len(recent_reports) == 1
    return recent_reports[-1]


def _assert_store_is_current(store):
    check = check_store(store, workers=1)
    assert (check.differ, check.missing, check.extra, check.parts_differ) == ([], [], [], [])


def _assert_as_django_serves(store, urls):
    """Each stored page, parts spliced in, is what Django answers now (not only what a full build writes)."""
    from broadsheet.publishing.render import inline_parts

    parts = {name: store.read(relative) for name, (relative, _etag, _modified) in store.parts().items()}
    pages = store.pages()
    client = Client()
    for url in urls:
        response = client.get(url)
        if url in pages:
            assert inline_parts(store.read(pages[url].file), parts) == response.content, url
        else:  # rendered, found gone: removed
            assert response.status_code in (301, 404), url


def test_renaming_a_post_renders_exactly_the_pages_that_show_it(site, store, publishing):
    posts, _about = site

    def rename():
        posts["july1"].title = "July one, revised"
        posts["july1"].save()

    report = _apply(publishing, rename)
    feeds = lambda base: {base + "feed/", base + "feed/atom/"}  # noqa: E731
    assert set(report.rendered) == {
        JULY1, *feeds(JULY1),
        # the listing page it falls on, in every listing it is in
        "/page/2/", "/2010/page/2/", "/2010/07/page/2/", "/2010/07/01/", "/category/politics/",
        "/category/politics/europe/", "/tag/housing/", "/tag/rail/", "/author/ann-archer/",
        # the feeds of those listings (it is among their newest)
        "/feed/", "/feed/atom/", *feeds("/category/politics/"), *feeds("/category/politics/europe/"),
        *feeds("/tag/housing/"), *feeds("/tag/rail/"), *feeds("/author/ann-archer/"),
        # the posts whose previous/next link shows its title
        "/2010/06/20/late-june/", "/2010/07/02/july-two/",
        # its comment is among the site's newest comments, titled with the post's title
        "/comments/feed/", "/comments/feed/atom/",
    }  # fmt: skip
    assert report.parts_written == ["sidebar"]  # it is among the recent posts
    assert report.deferred == [] and report.removed == []
    assert b"July one, revised" in store.read("2010/07/01/july-one/index.html")
    _assert_as_django_serves(store, report.rendered)  # listing pages rendered from the posts they show
    _assert_store_is_current(store)


def test_editing_an_old_post_s_text_leaves_neighbours_and_site_wide_parts_alone(site, store, publishing):
    posts, _about = site

    def edit():
        posts["may"].body = "A new text."
        posts["may"].save()

    report = _apply(publishing, edit)
    _assert_as_django_serves(store, report.rendered)
    assert set(report.rendered) == {
        "/2010/05/03/in-may/", "/page/4/", "/2010/page/4/", "/2010/05/", "/2010/05/03/",
        "/category/politics/page/2/", "/tag/housing/page/2/", "/author/ann-archer/page/2/",
        "/feed/", "/feed/atom/", "/category/politics/feed/", "/category/politics/feed/atom/",
        "/tag/housing/feed/", "/tag/housing/feed/atom/", "/author/ann-archer/feed/", "/author/ann-archer/feed/atom/",
    }  # fmt: skip
    assert report.parts_written == []
    _assert_store_is_current(store)


def test_re_slugging_moves_the_page_and_the_old_url_answers_301(site, store, publishing):
    posts, _about = site

    def reslug():
        posts["july1"].slug = "first-of-july"
        posts["july1"].save()

    report = _apply(publishing, reslug)
    new = "/2010/07/01/first-of-july/"
    assert {JULY1, JULY1 + "feed/", JULY1 + "feed/atom/"} <= set(report.removed)
    assert {new, new + "feed/", new + "feed/atom/"} <= set(report.rendered)
    assert JULY1 not in store.pages() and new in store.pages()
    assert not (store.root / "2010/07/01/july-one").exists()
    assert OldPath.objects.get(path=JULY1).post == posts["july1"]
    response = Client().get(JULY1)
    assert response.status_code == 301 and response["Location"] == new
    assert Client().get(JULY1 + "feed/")["Location"] == new + "feed/"
    _assert_store_is_current(store)

    def back():  # going back to the old slug makes the old address a page again
        posts["july1"].slug = "july-one"
        posts["july1"].save()

    _apply(publishing, back)
    assert not OldPath.objects.filter(path=JULY1).exists()
    assert OldPath.objects.get(path=new).post == posts["july1"]
    _assert_store_is_current(store)


def test_re_dating_moves_the_post_between_archives(site, store, publishing):
    posts, _about = site

    def redate():
        posts["july1"].published_at = factories.aware("2010-06-10 09:00")
        posts["july1"].save()

    report = _apply(publishing, redate)
    _assert_as_django_serves(store, report.rendered)
    new = "/2010/06/10/july-one/"
    assert new in report.rendered and JULY1 in report.removed
    assert "/2010/07/01/" in report.removed  # that day has no posts left
    assert {"/2010/06/", "/2010/06/10/", "/2010/07/page/2/", "/page/2/", "/page/3/"} <= set(report.rendered)
    # old and new neighbours
    assert {"/2010/06/20/late-june/", "/2010/07/02/july-two/", "/2010/06/01/in-june/"} <= set(report.rendered)
    assert report.deferred == ["/sitemap.xml"] and "sidebar" in report.parts_written
    assert Client().get(JULY1).status_code == 301
    _assert_store_is_current(store)


def test_unpublishing_removes_the_post_and_pages_past_the_end(site, store, publishing):
    posts, _about = site

    def unpublish():
        posts["may"].status = "draft"
        posts["may"].save()

    report = _apply(publishing, unpublish)
    assert {"/2010/05/03/in-may/", "/2010/05/03/in-may/feed/", "/2010/05/", "/2010/05/03/", "/page/4/",
            "/2010/page/4/", "/tag/housing/page/2/"} <= set(report.removed)  # fmt: skip
    assert {"/category/politics/page/2/", "/author/ann-archer/page/2/"} <= set(report.rendered)  # three posts left
    assert "/2010/05/" not in store.pages() and "/page/3/" in store.pages()
    assert Client().get("/2010/05/03/in-may/").status_code == 404
    _assert_store_is_current(store)


def test_pages_past_the_end_go_when_another_process_shortened_the_listing_first(site, store):
    # Two processes take a post each out of the listings; both commits land before either change is planned.
    # Each then counts the other's post as gone already (7 -> 6 -> 5 posts, two a page, seen as 6 -> 5: three
    # pages before and after) and neither would reach page 4, which no longer exists.
    from broadsheet.publishing import changes
    from broadsheet.publishing.footprints import SiteShape, post_footprint
    from broadsheet.publishing.publish import apply_changes

    posts, _about = site
    assert {"/page/4/", "/2010/page/4/"} <= set(store.pages())
    shape = SiteShape.load()
    before = {name: post_footprint(posts[name].pk, shape) for name in ("may", "june")}
    for name in ("may", "june"):
        posts[name].status = "draft"
        posts[name].save()
    changes.reset()  # (rendered below, one change at a time, as two processes would)
    for name in ("may", "june"):
        apply_changes({("post", posts[name].pk): before[name]}, store=store)
    assert not {"/page/4/", "/2010/page/4/"} & set(store.pages())
    _assert_store_is_current(store)


def test_deleting_a_post(site, store, publishing):
    posts, _about = site
    report = _apply(publishing, posts["july2"].delete)
    assert "/2010/07/02/july-two/" in report.removed
    assert {"/2010/07/02/", "/2010/07/02/july-three/", "/2010/07/01/july-one/"} <= set(report.rendered)
    _assert_store_is_current(store)


def test_publishing_a_new_post_shifts_every_later_listing_page(site, store, publishing):
    posts, _about = site
    ann = posts["may"].ordered_authors[0]

    def publish():
        factories.post("Newest", "2010-08-01 09:00", authors=[ann], categories=list(posts["may"].categories.all()))

    report = _apply(publishing, publish)
    # The first two pages of each listing it entered are rendered at once ...
    assert {"/2010/08/01/newest/", "/", "/page/2/", "/2010/", "/2010/page/2/", "/2010/08/", "/2010/08/01/",
            "/category/politics/", "/category/politics/page/2/", "/author/ann-archer/",
            "/author/ann-archer/page/2/", "/feed/"} <= set(report.rendered)  # fmt: skip
    # ... the later ones (to the last, whose "older posts" link changes) are withdrawn at once
    # and rendered after (never stale), with the sitemap.
    assert set(report.deferred) == {"/page/3/", "/page/4/", "/2010/page/3/", "/2010/page/4/",
                                    "/category/politics/page/3/", "/author/ann-archer/page/3/",
                                    "/sitemap.xml"}  # fmt: skip
    assert "/2010/06/" not in report.rendered and "/tag/rail/" not in report.rendered
    assert store.pending() == []  # rendered (inline in tests)
    _assert_store_is_current(store)


def test_approving_a_comment_renders_the_post_and_the_comment_feeds(site, store, publishing):
    posts, _about = site
    comment = Comment.objects.create(post=posts["july2"], author_name="Ann", body="Hello.", status="pending")
    report = _apply(publishing, lambda: Comment.objects.filter(pk=comment.pk).first().save())
    assert report.rendered == []  # a held comment shows nowhere

    def approve():
        comment.status = "approved"
        comment.save()

    report = _apply(publishing, approve)
    post = "/2010/07/02/july-two/"
    assert {post, post + "feed/", post + "feed/atom/", "/comments/feed/", "/comments/feed/atom/"} <= set(
        report.rendered
    )
    assert "/page/2/" in report.rendered  # listings show each post's comment count
    assert b"Hello." in store.read("2010/07/02/july-two/index.html")
    _assert_store_is_current(store)

    def unapprove():
        comment.status = "spam"
        comment.save()

    report = _apply(publishing, unapprove)
    assert {post, "/comments/feed/"} <= set(report.rendered)
    assert b"Hello." not in store.read("2010/07/02/july-two/index.html")
    _assert_store_is_current(store)


def test_editing_a_page_renders_it_and_the_menu(site, store, publishing):
    _posts, about = site

    def rename():
        about.title = "About us"
        about.save()

    report = _apply(publishing, rename)
    assert set(report.rendered) == {"/about/", "/about/feed/", "/about/feed/atom/"}  # its comment feeds: its title
    assert report.parts_written == ["menu"]
    assert b"About us" in store.read("_parts/menu.html")
    _assert_store_is_current(store)


def test_changes_outside_signals_are_tracked_with_tracked(site, store, publishing):
    from broadsheet.publishing.changes import tracked

    posts, _about = site

    def bulk_unpublish():
        with tracked(posts=[posts["july4"].pk]):
            Post.objects.filter(pk=posts["july4"].pk).update(status="draft")

    report = _apply(publishing, bulk_unpublish)
    assert "/2010/07/28/july-four/" in report.removed
    _assert_store_is_current(store)


@pytest.mark.parametrize("field", ["name", "slug"])
def test_renaming_a_category_marks_the_store_stale_until_it_is_rendered_again(site, store, publishing, field):
    from broadsheet.content.models import Category
    from broadsheet.publishing.publish import is_stale, refresh_store

    category = Category.objects.get(slug="cities")

    def rename():
        setattr(category, field, "towns")
        category.save()

    report = _apply(publishing, rename)
    assert report.full and is_stale(store)
    refresh_store(store, workers=1)
    assert not is_stale(store)
    _assert_store_is_current(store)


def test_many_deferred_pages_are_rendered_as_a_build_renders_them(site, store, publishing, monkeypatch):
    from broadsheet.publishing import publish

    monkeypatch.setattr(publish, "BATCH_DRAIN", 2)  # a long tail, on this small site
    posts, _about = site

    def publish_new():
        factories.post("Newest", "2010-08-01 09:00", authors=list(posts["may"].ordered_authors),
                       categories=list(posts["may"].categories.all()))  # fmt: skip

    report = _apply(publishing, publish_new)
    assert len(report.deferred) >= 2 and store.pending() == []
    _assert_as_django_serves(store, report.deferred)
    _assert_store_is_current(store)
