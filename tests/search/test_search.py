"""Full-text search: ranking, phrases, prefixes, snippets and hostile input.

Runs on whichever database the suite runs on: SQLite FTS5 by default,
PostgreSQL full-text search when DATABASE_URL points at PostgreSQL (CI runs both).
"""

import re

import pytest
from django.db import connection

from broadsheet.search.backends import search_entries
from broadsheet.search.query import parse_query
from tests import factories


@pytest.fixture
def corpus(db):
    factories.site(posts_per_page=10)
    posts = {
        "title": factories.post("Housing policy explained", "2010-07-01 09:00", body="Councils and budgets."),
        "body": factories.post("Budget notes", "2010-07-02 09:00", body="A short aside about housing near the end."),
        "phrase": factories.post("Libraries", "2010-07-03 09:00", body="The public library is a public square."),
        "other": factories.post("Trade", "2010-07-04 09:00", body="The square root of trade is politics."),
        "draft": factories.post("Housing draft", "2010-07-05 09:00", body="housing housing", status="draft"),
        "protected": factories.post("Housing secret", "2010-07-06 09:00", body="housing", password="pw"),
    }
    posts["page"] = factories.page("About housing", body="This page mentions housing once.")
    return posts


def _titles(query):
    return [hit.entry.title for hit in search_entries(parse_query(query), limit=20).hits]


def test_backend_matches_the_database(corpus):
    assert connection.vendor in ("sqlite", "postgresql")


def test_ranking_prefers_title_matches_and_hides_unlisted(corpus):
    titles = _titles("housing")
    assert titles[0] in ("Housing policy explained", "About housing")
    assert set(titles) == {"Housing policy explained", "Budget notes", "About housing"}
    assert titles.index("Housing policy explained") < titles.index("Budget notes")


def test_stemming_matches_word_forms(corpus):
    assert "Libraries" in _titles("library")


def test_phrase_query(corpus):
    assert _titles('"public square"') == ["Libraries"]
    assert set(_titles("square")) == {"Libraries", "Trade"}


def test_prefix_query(corpus):
    assert "Libraries" in _titles("librar*")
    assert set(_titles("poli*")) == {"Housing policy explained", "Trade"}


def test_all_terms_must_match(corpus):
    assert _titles("housing councils") == ["Housing policy explained"]
    assert _titles("housing zebra") == []


def test_snippets_highlight_and_escape(corpus, client):
    factories.post("Markup <b>title</b>", "2010-07-07 09:00", body="Escaping <script>alert(1)</script> matters here.")
    html = client.get("/?s=escaping").content.decode()
    assert "<mark>Escaping</mark>" in html
    assert "<script>alert(1)" not in html
    html = client.get("/search/housing/").content.decode()
    assert re.search(r"<mark>[Hh]ousing</mark>", html)
    assert "3 results" in html


HOSTILE = [
    '"', '""', '"unterminated', "*", "-", "NEAR(a b)", "a AND OR NOT b", "title:housing", "^housing",
    "housing)", "(", "{x}", "a:*", "!!", "'; DROP TABLE content_post; --", "\x00housing", "x" * 10_000,
    "housing " * 2000, "héllo wörld", "👩‍💻", "<svg onload=alert(1)>",
]  # fmt: skip


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_are_answered(corpus, client, query):
    response = client.get("/", {"s": query})
    assert response.status_code == 200
    assert "<svg onload" not in response.content.decode()
    assert parse_query(query).text == parse_query(parse_query(query).text).text


def test_hostile_query_still_finds_words(corpus):
    assert "Housing policy explained" in _titles('"housing')
    assert "Housing policy explained" in _titles("housing)")


def test_search_pagination(corpus, client):
    factories.site(posts_per_page=2)
    first = client.get("/search/housing/").content.decode()
    assert 'href="/search/housing/page/2/"' in first
    assert client.get("/search/housing/page/2/").status_code == 200
    assert client.get("/search/housing/page/3/").status_code == 404


def test_index_follows_edits(corpus):
    post = corpus["other"]
    post.title = "Quantum gardening"
    post.save()
    assert _titles("quantum") == ["Quantum gardening"]
    post.status = "draft"
    post.save()
    assert _titles("quantum") == []
    corpus["body"].delete()
    assert "Budget notes" not in _titles("housing")
