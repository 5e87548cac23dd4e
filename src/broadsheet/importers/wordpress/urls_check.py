"""Every URL a WordPress export implies, and what Broadsheet answers for it now.

``broadsheet urls check FILE.xml`` lists them with their answer and fails if
any is broken. A URL is kept when it answers 200, or redirects (301/302)
within at most three hops to a 200 or to a file outside the site (an
attachment whose file was not copied).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.test import Client

from broadsheet.importers.wordpress.permalinks import link_path
from broadsheet.importers.wordpress.records import AuthorRecord, ItemRecord, SiteRecord, TermRecord
from broadsheet.importers.wordpress.wxr import read_wxr

_PUBLIC = ("publish",)


@dataclass(frozen=True)
class UrlCheck:
    url: str
    why: str  # what in the export implies it
    status: int  # the first answer
    final: str  # where it ends after redirects
    final_status: int

    @property
    def ok(self) -> bool:
        if self.final_status == 200:
            return True
        return self.status in (301, 302) and self.final.startswith(("http://", "https://")) and self.final_status == 0


def implied_urls(path: Path) -> Iterator[tuple[str, str]]:
    """Yield (url, why) for every old address the export implies, each once."""
    seen: set[str] = set()
    site = SiteRecord()
    categories: dict[str, TermRecord] = {}
    months: set[str] = set()
    published_posts = 0
    for record in read_wxr(path.open("rb")):
        if isinstance(record, SiteRecord):
            site = record
        elif isinstance(record, TermRecord):
            if record.taxonomy == "category":
                categories[record.slug] = record
            elif record.taxonomy == "post_tag":
                yield from _once(seen, [(f"/tag/{record.slug}/", "tag archive"), (f"/?tag={record.slug}", "tag query")])
        elif isinstance(record, AuthorRecord):
            urls = [(f"/author/{record.login}/", "author archive")]
            if record.author_id:
                urls.append((f"/?author={record.author_id}", "author ID"))
            yield from _once(seen, urls)
        elif isinstance(record, ItemRecord):
            if record.post_type == "post" and record.status == "publish" and not record.post_password:
                published_posts += 1
                if record.post_date:
                    months.add(f"{record.post_date.year:04d}{record.post_date.month:02d}")
            yield from _once(seen, _item_urls(record, site))
    for slug, term in categories.items():
        chain, parent = [slug], categories.get(term.parent_slug)
        while parent is not None and len(chain) < 20:
            chain.append(parent.slug)
            parent = categories.get(parent.parent_slug)
        urls = [(f"/category/{'/'.join(reversed(chain))}/", "category archive")]
        if term.term_id:
            urls.append((f"/?cat={term.term_id}", "category ID"))
        yield from _once(seen, urls)
    for month in sorted(months):
        yield from _once(seen, [(f"/{month[:4]}/{month[4:]}/", "month archive"), (f"/?m={month}", "month query")])
    site_urls = [("/", "home"), ("/feed/", "feed"), ("/feed/rss2/", "feed"), ("/feed/atom/", "feed"),
                 ("/feed/rdf/", "feed"), ("/?feed=rss2", "feed"), ("/comments/feed/", "comments feed")]  # fmt: skip
    if published_posts > 10:
        site_urls.append(("/page/2/", "home, page 2"))
    yield from _once(seen, site_urls)


def _once(seen: set[str], urls) -> Iterator[tuple[str, str]]:
    for url, why in urls:
        if url and url not in seen:
            seen.add(url)
            yield url, why


def _item_urls(item: ItemRecord, site: SiteRecord) -> list[tuple[str, str]]:
    base = urlsplit(site.base_blog_url or site.link).path.rstrip("/")
    urls: list[tuple[str, str]] = []
    if item.post_type in ("post", "page") and item.status in _PUBLIC:
        old = link_path(item.link, base)
        if old and old != "/":
            urls.append((old, f"{item.post_type} #{item.post_id} permalink"))
            if not item.post_password:
                urls.append((old.rstrip("/") + "/feed/" if old.endswith("/") else "", f"{item.post_type} comments feed"))
            for number in range(2, item.content.count("<!--nextpage-->") + 2):
                if old.endswith("/"):
                    urls.append((f"{old}{number}/", "<!--nextpage--> page"))
        key = "p" if item.post_type == "post" else "page_id"
        urls.append((f"/?{key}={item.post_id}", f"{item.post_type} ID"))
        for old_slug in item.meta_values("_wp_old_slug"):
            if old and item.post_name:
                urls.append((old.replace(f"/{unquote(item.post_name)}/", f"/{unquote(old_slug)}/"), "_wp_old_slug"))
    elif item.post_type == "attachment":
        old = link_path(item.link, base)
        if old and old != "/":
            urls.append((old, f"attachment #{item.post_id} page"))
        urls.append((f"/?attachment_id={item.post_id}", "attachment ID"))
    return urls


def check_url(client: Client, url: str, why: str) -> UrlCheck:
    response = client.get(url)
    first, location, status = response.status_code, url, response.status_code
    for _ in range(3):
        if status not in (301, 302):
            break
        location = response["Location"]
        if location.startswith(("http://", "https://")):
            status = 0  # leaves the site: a file at its original address
            break
        response = client.get(location)
        status = response.status_code
    return UrlCheck(url, why, first, location, status)


def check_export(path: Path) -> list[UrlCheck]:
    client = Client(raise_request_exception=False)
    return [check_url(client, url, why) for url, why in implied_urls(Path(path))]
