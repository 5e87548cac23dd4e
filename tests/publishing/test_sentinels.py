"""Nothing that is not public reaches the page store or a static build (RELIABILITY.md CACHE-05).

A distinct sentinel word is planted in every kind of non-public data: drafts,
pending, private and scheduled entries, a password-protected post's text, held,
spam and trashed comments, the e-mail and address of every commenter, an earlier
revision and an autosave, a draft page. The whole store is then rendered and
the site built static, published the incremental way too, and every file
written (precompressed copies decompressed) is searched for every sentinel.
"""

from __future__ import annotations

import datetime
import gzip
from pathlib import Path

import brotli
import pytest
from django.utils import timezone

from broadsheet.comments.models import Comment
from broadsheet.desk.models import Revision
from broadsheet.publishing.build import build_site
from broadsheet.publishing.publish import refresh_store
from tests import factories


def _sentinel(name: str) -> str:
    return f"zqx{name}sentinel"


def _plant(posts, about) -> dict[str, str]:
    """Create the non-public data; return {what: sentinel}."""
    planted = {}

    def word(name: str) -> str:
        planted[name] = _sentinel(name)
        return planted[name]

    ann = posts["july1"].authors.first()
    for status in ("draft", "pending", "private"):
        factories.post(f"A {status} {word(status + 'title')}", "2010-07-20 09:00", authors=[ann],
                       body=f"Body {word(status + 'body')}", status=status, excerpt=word(status + "excerpt"))  # fmt: skip
    future = timezone.now() + datetime.timedelta(days=30)
    factories.post(f"Later {word('futuretitle')}", future, authors=[ann], body=f"Soon {word('futurebody')}")
    factories.post("Members only", "2010-07-21 09:00", authors=[ann], password="letmein",
                   body=f"Hidden {word('protectedbody')}", excerpt=word("protectedexcerpt"))  # fmt: skip
    factories.page(f"Draft page {word('draftpagetitle')}", body=word("draftpagebody"), status="draft")
    public = posts["july1"]
    for status in ("pending", "spam", "trash"):
        Comment.objects.create(post=public, author_name=f"Writer {word(status + 'commentname')}",
                               body=f"Text {word(status + 'commentbody')}", status=status)  # fmt: skip
    Comment.objects.create(post=public, author_name="Open Reader", author_email=f"{word('email')}@example.org",
                           author_ip="203.0.113.77", author_agent=word("agent"), body="A public comment.",
                           status="approved")  # fmt: skip
    planted["ip"] = "203.0.113.77"
    Revision.objects.create(entry_type="post", post=public, title=f"Old {word('revisiontitle')}",
                            body=word("revisionbody"))  # fmt: skip
    Revision.objects.create(entry_type="post", post=public, kind=Revision.Kind.AUTOSAVE,
                            title=word("autosavetitle"), body=word("autosavebody"))  # fmt: skip
    return planted


def _texts(root: Path):
    """(relative path, text) of every file under ``root``; precompressed copies decompressed."""
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.suffix == ".sqlite3" or "sqlite3" in path.name:
            continue
        data = path.read_bytes()
        if path.suffix == ".gz":
            data = gzip.decompress(data)
        elif path.suffix == ".br":
            data = brotli.decompress(data)
        yield path.relative_to(root).as_posix(), data.decode("utf-8", errors="replace")


def _leaks(root: Path, planted: dict[str, str]) -> list[str]:
    return [f"{what} in {name}" for name, text in _texts(root) for what, word in planted.items() if word in text]


@pytest.fixture
def planted(site, store, publishing):
    posts, about = site
    with publishing():  # as the desk and readers would: every save is tracked and rendered
        return _plant(posts, about)


def test_nothing_private_reaches_the_store_or_the_static_build(planted, store, tmp_path):
    assert planted and all(word for word in planted.values())
    assert _leaks(store.root, planted) == []  # the store as the incremental renders left it
    refresh_store(store, workers=1)  # rendered again from nothing
    files = list(_texts(store.root))
    assert len(files) > 50  # the store holds the site (the search below has something to search)
    assert _leaks(store.root, planted) == []
    output = tmp_path / "public"
    assert build_site(output, workers=1).failed == {}
    assert sum(1 for _ in _texts(output)) > 50
    assert _leaks(output, planted) == []
    # The sentinel search itself works: a public word planted the same way is found.
    public_word = _sentinel("public")
    factories.post(f"Open {public_word}", "2010-07-22 09:00", body="Public.")
    build_site(output, workers=1)
    assert any(public_word in text for _name, text in _texts(output))
