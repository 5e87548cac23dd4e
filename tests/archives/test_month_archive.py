"""The reference page: a monthly archive as WordPress's classic themes show it."""

import re

import html5lib
import pytest
from django.test import TestCase

from tests import factories


def _articles(html: str) -> list[str]:
    return re.findall(r'<article class="post-summary[^"]*" id="post-\d+">.*?</article>', html, re.S)


class MonthArchiveTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        factories.site(posts_per_page=10)
        cls.alice = factories.author("Alice Archer")
        cls.bob = factories.author("Bob Brook")
        cls.cara = factories.author("Cara Cole")
        cls.folded = factories.post(
            "Why councils stopped building homes",
            "2010-07-28 09:15",
            authors=[cls.alice],
            body="First part of the essay.\n\n<!--more-->\n\nThe rest, only on the post's page.",
            excerpt="An explicit excerpt that date archives must not use.",
        )
        cls.custom = factories.post(
            "A treaty nobody reads",
            "2010-07-21 18:40",
            authors=[cls.bob, cls.alice],
            body="Opening.\n\n<!--more Read the rest of our argument-->\n\nClosing.",
        )
        cls.whole = factories.post("Notes on a budget week", "2010-07-09 07:30", authors=[cls.cara], body="Short and whole.")
        cls.trio = factories.post(
            "What the three of us disagree about", "2010-07-01 12:00", authors=[cls.alice, cls.bob, cls.cara]
        )
        cls.june = factories.post("A June post", "2010-06-30 12:00", authors=[cls.alice])

    def get_month(self):
        response = self.client.get("/2010/07/")
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def test_title_and_heading_use_the_archive_format(self):
        html = self.get_month()
        self.assertIn("<title>Archive | July, 2010</title>", html)
        self.assertRegex(html, r"<h1[^>]*>Archive \| July, 2010</h1>")

    def test_heading_format_is_a_setting(self):
        factories.site(archive_title_format="Posts from {date}", month_archive_format="F Y")
        html = self.get_month()
        self.assertIn("<title>Posts from July 2010</title>", html)

    def test_posts_of_the_month_newest_first(self):
        html = self.get_month()
        titles = re.findall(r'rel="bookmark">([^<]+)</a>', html)
        self.assertEqual(
            titles,
            [
                "Why councils stopped building homes",
                "A treaty nobody reads",
                "Notes on a budget week",
                "What the three of us disagree about",
            ],
        )
        self.assertNotIn("A June post", factories.main_html(html))

    def test_short_date_and_its_format_setting(self):
        html = self.get_month()
        self.assertIn(">28 Jul</time>", html)
        factories.site(short_date_format="d/m")
        self.assertIn(">28/07</time>", self.get_month())

    def test_fold_shows_teaser_and_continue_reading_link(self):
        article = _articles(self.get_month())[0]
        self.assertIn("First part of the essay.", article)
        self.assertNotIn("The rest, only on the post", article)
        self.assertNotIn("explicit excerpt", article)
        link = f'<a href="{self.folded.get_absolute_url()}#more-{self.folded.pk}" class="more-link">Continue reading'
        self.assertIn(link, article)

    def test_custom_more_text_is_the_link_text(self):
        article = _articles(self.get_month())[1]
        self.assertIn(f'#more-{self.custom.pk}" class="more-link">Read the rest of our argument', article)
        self.assertNotIn("Closing.", article)

    def test_post_without_fold_is_shown_whole(self):
        article = _articles(self.get_month())[2]
        self.assertIn("Short and whole.", article)
        self.assertNotIn("more-link", article)

    def test_co_author_bylines(self):
        articles = _articles(self.get_month())
        text = [re.sub(r"<[^>]+>", "", article) for article in articles]
        self.assertIn("by Bob Brook and Alice Archer", text[1])
        self.assertIn("by Cara Cole", text[2])
        self.assertIn("by Alice Archer, Bob Brook and Cara Cole", text[3])

    def test_post_page_marks_the_fold_target(self):
        response = self.client.get(self.folded.get_absolute_url())
        html = response.content.decode()
        self.assertIn(f'<span id="more-{self.folded.pk}"></span>', html)
        self.assertIn("First part of the essay.", html)
        self.assertIn("The rest, only on the post", html)

    def test_pagination_older_and_newer(self):
        factories.site(posts_per_page=2)
        first = self.client.get("/2010/07/").content.decode()
        self.assertEqual(len(_articles(first)), 2)
        self.assertIn('href="/2010/07/page/2/"', first)
        second = self.client.get("/2010/07/page/2/").content.decode()
        self.assertEqual(len(_articles(second)), 2)
        self.assertIn('href="/2010/07/"', second)
        self.assertIn("Notes on a budget week", second)
        self.assertEqual(self.client.get("/2010/07/page/3/").status_code, 404)

    def test_page_is_valid_html5(self):
        parser = html5lib.HTMLParser(strict=True)
        parser.parse(self.get_month())


@pytest.mark.django_db
def test_month_archive_boundaries_follow_the_site_time_zone(client):
    factories.site(time_zone="Europe/Berlin")
    late = factories.post("Late on the last day", "2010-07-31 23:30", zone="Europe/Berlin")
    early = factories.post("Just after midnight", "2010-08-01 00:10", zone="Europe/Berlin")
    july = factories.main_html(client.get("/2010/07/").content.decode())
    august = factories.main_html(client.get("/2010/08/").content.decode())
    assert late.title in july and late.title not in august
    assert early.title in august and early.title not in july
    # Stored in UTC the late post is on 31 July 21:30; the permalink uses the local date.
    assert late.get_absolute_url().startswith("/2010/07/31/")
    assert client.get("/2010/07/31/").status_code == 200
    assert early.title in client.get("/2010/08/01/").content.decode()


@pytest.mark.django_db
def test_utc_boundary_differs_from_local_boundary(client):
    factories.site(time_zone="America/New_York")
    # 2010-08-01 02:00 UTC is still 31 July in New York.
    post = factories.post("Evening in New York", "2010-08-01 02:00", zone="UTC")
    assert post.title in client.get("/2010/07/").content.decode()
    assert client.get("/2010/08/").status_code == 404
