"""Whole builds render listings, posts and their comment feeds from data loaded once: the same bytes as Django's."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from broadsheet.comments.models import Comment
from broadsheet.publishing.batch import BatchRenderer
from broadsheet.publishing.catalogue import collect_urls
from broadsheet.publishing.publish import _SiteContext
from broadsheet.publishing.render import render_url
from tests import factories


def _both_ways():
    with _SiteContext():
        catalogue = collect_urls()
        jobs = [(url, catalogue.job(url)) for url in catalogue.all()]
        fast = BatchRenderer().render_many(jobs)
        slow = [render_url(url) for url, _job in jobs]
    return jobs, fast, slow


def _assert_same(jobs, fast, slow):
    kinds = set()
    for (url, job), quick, reference in zip(jobs, fast, slow, strict=True):
        kinds.add(job[0])
        assert quick.status == reference.status == 200, url
        assert quick.body == reference.body, url
        assert (quick.content_type, quick.headers, quick.parts) == (
            reference.content_type, reference.headers, reference.parts), url  # fmt: skip
    assert kinds == {"listing", "post", "entry_feed", "listing_feed", "sitemap", "view"}


def test_every_url_renders_the_same_both_ways(site):
    _assert_same(*_both_ways())


@pytest.mark.parametrize("structure", ["/%category%/%postname%/", "/%author%/%post_id%/", "/%postname%/"])
def test_other_permalink_structures(site, structure):
    factories.site(permalink_structure=structure)
    _assert_same(*_both_ways())


def test_ties_stickies_comments_and_closed_discussions(site):
    posts, _about = site
    factories.site(comments_close_after_days=1)
    factories.post("Same moment", "2010-07-02 18:00", categories=list(posts["july3"].categories.all()))
    posts["june"].sticky = True
    posts["june"].save()
    for number in range(3):
        Comment.objects.create(post=posts["july4"], author_name=f"R{number}", body="Yes.", status="approved")
    _assert_same(*_both_ways())


def test_a_listing_page_costs_no_query_once_loaded(site):
    with _SiteContext():
        batch = BatchRenderer()
        catalogue = collect_urls()
        listing_urls = [url for url in catalogue.all() if catalogue.job(url)[0] == "listing"]
        batch.render_many([(listing_urls[0], catalogue.job(listing_urls[0]))])  # loads the listings once
        with CaptureQueriesContext(connection) as queries:
            batch.render_many([(url, catalogue.job(url)) for url in listing_urls if "/category/" not in url
                               and "/tag/" not in url and "/author/" not in url])  # fmt: skip
    assert len(queries) == 0


def test_empty_comment_feeds_share_one_rendering_with_the_same_bytes(site):
    posts, _about = site
    factories.post("Fish & chips <b>at</b> \"Joe's\"", "2010-07-05 10:00", slug="fish-and-chips")
    factories.post("Café — naïve résumé ✓", "2010-07-06 11:30", slug="cafe-naive")
    Comment.objects.create(post=posts["july4"], author_name="R", body="Yes.", status="approved")
    with _SiteContext():
        catalogue = collect_urls()
        jobs = [(url, catalogue.job(url)) for url in catalogue.all() if catalogue.job(url)[0] == "entry_feed"]
        batch = BatchRenderer()
        fast = batch.render_many(jobs)
        slow = [render_url(url) for url, _job in jobs]
    for (url, _job), quick, reference in zip(jobs, fast, slow, strict=True):
        assert (quick.status, quick.body, quick.content_type, quick.headers) == (
            reference.status, reference.body, reference.content_type, reference.headers), url  # fmt: skip
    # The shared rendering was used (and passed its check against the view), for RSS and Atom.
    assert batch._empty_feeds[False] is not None and batch._empty_feeds[False].checked
    assert batch._empty_feeds[True] is not None and batch._empty_feeds[True].checked


def test_featured_images_excerpts_and_protected_posts(site, tmp_path, settings):
    # Whole posts are made from the listings' objects (only the columns those leave out are read again):
    # a featured image, an excerpt and a post behind a password must come out as Django renders them.
    from django.core.files.uploadedfile import SimpleUploadedFile

    from broadsheet.media.uploads import accept_upload
    from tests.media import samples

    settings.MEDIA_ROOT = tmp_path / "media"
    cover = accept_upload(SimpleUploadedFile("cover.jpg", samples.image_bytes("JPEG", size=(1600, 1200))), user=None)
    cover.alt_text = "A cover"
    cover.save()
    posts, _about = site
    posts["july2"].featured_image = cover
    posts["july2"].excerpt = "A summary written by hand."
    posts["july2"].save()
    factories.post("Behind a door", "2010-07-03 09:00", password="open sesame")
    jobs, fast, slow = _both_ways()
    _assert_same(jobs, fast, slow)
    page = next(quick.body for (url, job), quick in zip(jobs, fast) if job[0] == "post" and "july-two" in url)
    assert b"A summary written by hand." in page and b"srcset=" in page


def test_a_posts_values_in_listing_feeds_are_worked_out_once(site, monkeypatch):
    # A post is in the home feed and its categories', tags' and authors' feeds, RSS and Atom: its summary (and
    # every other item value) is computed once per batch, and the feeds stay byte for byte Django's.
    from broadsheet.feeds.feeds import PostsFeed

    computed = []
    original = PostsFeed.item_description

    def counted(self, item):
        computed.append(item.pk)
        return original(self, item)

    monkeypatch.setattr(PostsFeed, "item_description", counted)
    with _SiteContext():
        catalogue = collect_urls()
        jobs = [(url, catalogue.job(url)) for url in catalogue.all() if catalogue.job(url)[0] == "listing_feed"]
        fast = BatchRenderer().render_many(jobs)
        in_batch = list(computed)
        slow = [render_url(url) for url, _job in jobs]
    assert len(jobs) >= 4
    assert [quick.body for quick in fast] == [reference.body for reference in slow]
    assert len(computed) - len(in_batch) > len(set(in_batch))  # through Django: once per feed that shows the post
    assert sorted(in_batch) == sorted(set(in_batch))  # in the batch: once per post
