"""Drafts, pending, private, scheduled and password-protected content stay off every public surface."""

import datetime

import pytest
from django.test import TestCase
from django.utils import timezone

from broadsheet.content.models import Post
from tests import factories

SECRET = "zebrasecretword"  # a word only the hidden entries contain


class VisibilityTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.author = factories.author("Visible Writer")
        cls.category = factories.category("Politics")
        cls.tag = factories.tag("Budget")
        common = dict(authors=[cls.author], categories=[cls.category], tags=[cls.tag])
        cls.public = factories.post("Public post", "2010-07-10 10:00", body="An ordinary published post.", **common)
        cls.hidden = {}
        for status in ("draft", "pending", "private"):
            cls.hidden[status] = factories.post(
                f"{status} {SECRET} title", "2010-07-12 10:00", body=f"{SECRET} body", status=status, **common
            )
        future = timezone.now() + datetime.timedelta(days=3650)
        cls.hidden["future"] = factories.post(
            f"scheduled {SECRET} title", future, body=f"{SECRET} body", status="future", **common
        )
        cls.protected = factories.post(
            "Members only", "2010-07-14 10:00", body=f"{SECRET} protected body", password="opensesame", **common
        )
        hidden_page = factories.page(f"Draft page {SECRET}", status="draft", body=f"{SECRET} body")
        cls.hidden["page"] = hidden_page

    def surfaces(self):
        future_year = self.hidden["future"].published_at.year
        return [
            "/", "/2010/", "/2010/07/", "/2010/07/12/", f"/{future_year}/",
            "/category/politics/", "/tag/budget/", "/author/visible-writer/",
            "/feed/", "/feed/atom/", "/category/politics/feed/", "/tag/budget/feed/atom/",
            "/author/visible-writer/feed/", "/comments/feed/", "/sitemap.xml",
            f"/?s={SECRET}", f"/search/{SECRET}/", f"/search/{SECRET}/feed/", "/?s=members",
            self.public.get_absolute_url(),
        ]  # fmt: skip

    def test_no_surface_shows_hidden_content(self):
        for url in self.surfaces():
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertIn(response.status_code, (200, 404))
                html = response.content.decode()
                for phrase in (f"{SECRET} title", f"{SECRET} body", f"{SECRET} protected", f"page {SECRET}"):
                    self.assertNotIn(phrase, html)
                if "s=" not in url and "/search/" not in url:
                    self.assertNotIn(SECRET, html)

    def test_counts_and_listings_ignore_hidden_posts(self):
        html = self.client.get("/2010/07/").content.decode()
        self.assertIn('July 2010</a> <span class="count">(1)</span>', html)
        self.assertIn('Politics</a> <span class="count">(1)</span>', html)
        self.assertNotIn("Members only", factories.main_html(html))
        self.assertEqual(self.client.get("/2010/07/12/").status_code, 404)

    def test_hidden_entries_have_no_public_address(self):
        for name, entry in self.hidden.items():
            with self.subTest(status=name):
                self.assertEqual(self.client.get(entry.get_absolute_url()).status_code, 404)
                query = "page_id" if name == "page" else "p"
                self.assertEqual(self.client.get(f"/?{query}={entry.pk}").status_code, 404)

    def test_protected_post_shows_title_and_password_form_only(self):
        response = self.client.get(self.protected.get_absolute_url())
        html = response.content.decode()
        self.assertEqual(response.status_code, 200)
        self.assertIn("Members only", html)
        self.assertIn('name="password"', html)
        self.assertNotIn(SECRET, html)
        self.assertIn("private", response["Cache-Control"])
        self.assertEqual(self.client.get(self.protected.get_absolute_url() + "feed/").status_code, 404)

    def test_right_password_unlocks_and_wrong_does_not(self):
        url = self.protected.get_absolute_url()
        wrong = self.client.post("/post-password/", {"password": "nope", "next": url})
        self.assertEqual(wrong.status_code, 303)
        self.assertNotIn(SECRET, self.client.get(url).content.decode())
        self.client.post("/post-password/", {"password": "opensesame", "next": url})
        self.assertIn(f"{SECRET} protected body", self.client.get(url).content.decode())

    def test_password_form_does_not_redirect_off_site(self):
        response = self.client.post("/post-password/", {"password": "x", "next": "https://evil.example/"})
        self.assertEqual(response["Location"], "/")

    def test_public_post_pages_carry_no_per_visitor_data(self):
        first = self.client.get(self.public.get_absolute_url())
        self.client.cookies.clear()
        second = self.client.get(self.public.get_absolute_url())
        self.assertEqual(first.content, second.content)
        self.assertNotIn("csrfmiddlewaretoken", first.content.decode())
        self.assertFalse(first.cookies)


@pytest.mark.django_db
def test_scheduled_post_appears_when_its_time_comes(client):
    """No cron: a scheduled post becomes visible as soon as its time has passed."""
    soon = timezone.now() + datetime.timedelta(hours=1)
    post = factories.post("Coming soon", soon, status="future")
    assert post.title not in factories.main_html(client.get("/").content.decode())
    assert client.get(post.get_absolute_url()).status_code == 404
    # Move the post's time into the past without touching its status (as the clock would).
    Post.objects.filter(pk=post.pk).update(published_at=timezone.now() - datetime.timedelta(seconds=1))
    post.refresh_from_db()
    assert post.status == "future"
    assert post.title in factories.main_html(client.get("/").content.decode())
    assert client.get(post.get_absolute_url()).status_code == 200
    assert post.title in client.get("/feed/").content.decode()
