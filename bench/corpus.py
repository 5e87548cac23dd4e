"""One synthetic Markdown corpus for the static-build benchmark (Broadsheet, Pelican and Hugo).

    .venv/bin/python bench/corpus.py --posts 1000 [--seed 2024] [--out DIR]

Writes, deterministically (the same seed and size always give the same bytes):

* ``DIR/markdown/posts/<slug>.md``: YAML front matter between ``---`` lines (what
  Hugo and Jekyll write, and what ``broadsheet import markdown`` reads), the
  folder Hugo uses as its content and Broadsheet imports;
* ``DIR/pelican/<slug>.md``: the same posts with Pelican's own ``Key: value``
  header (which ``broadsheet import markdown`` reads too), so Pelican needs no
  YAML plugin.

Both trees hold the same posts, byte for byte the same bodies:

* N posts (1,000 or 10,000 in the benchmark) dated over 20 years, 2005-2024,
  UTC, in random order of writing but spread evenly over the years;
* 12 categories, one per post (Pelican allows only one), flat;
* 80 tags, 2-5 per post; 5 authors (unevenly prolific), about 15% of the
  posts by two of them;
* about 500 words of Markdown each (paragraphs, a heading, sometimes a list or a
  quotation, emphasis, links) with a ``<!--more-->`` fold after the second
  paragraph, always there, so Pelican's ``SUMMARY_MAX_PARAGRAPHS = 2`` gives the
  same teaser as the fold does in Broadsheet and Hugo;
* an explicit ``slug``, so post URLs are the same in the three systems
  (``/YYYY/MM/DD/slug/``).

Hugo has no date archives; the YAML front matter therefore also carries
``years`` and ``months`` lists, which Hugo turns into taxonomies (one term page
per year and per month, paginated like the other listings) and Broadsheet and
Pelican ignore.

The folder is cached: a second run with the same arguments reuses it
(``generation.json`` records what is there). ``--force`` writes it again.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import random
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchlib  # noqa: E402
from generate_site import CLAUSES, HEADINGS, TAGS, TITLE_ENDINGS, TITLE_OPENINGS, TITLE_TOPICS  # noqa: E402
from generate_site import _paragraph as paragraph  # noqa: E402

# Bump when the generated files change, so cached corpora are written again.
CORPUS_VERSION = 1
FIRST_YEAR, LAST_YEAR = 2005, 2024  # 20 years

AUTHORS = [
    # name, relative weight (how often they write)
    ("Helen Marsh", 30),
    ("David Okonjo", 25),
    ("Sofía Lindqvist", 20),
    ("Rajiv Menon", 15),
    ("Claire Dubois", 10),
]
CATEGORIES = [
    "Politics", "Europe", "Elections", "Economy", "Labour markets", "Public budgets",
    "Cities", "Housing", "Transport", "Culture", "Books", "Science",
]  # fmt: skip
assert len(CATEGORIES) == 12 and len(TAGS) == 80


@dataclass(frozen=True)
class CorpusPost:
    title: str
    slug: str
    date: datetime.datetime  # UTC
    authors: tuple[str, ...]
    category: str
    tags: tuple[str, ...]
    body: str


def _slug(title: str) -> str:
    out, dash = [], False
    for char in title.lower():
        if char.isascii() and char.isalnum():
            out.append(char)
            dash = False
        elif not dash and out:
            out.append("-")
            dash = True
    return "".join(out).strip("-")


def _body(rng: random.Random) -> str:
    """About 500 words of Markdown with the fold after the second paragraph."""
    blocks = [paragraph(rng, rng.randrange(3, 5)), paragraph(rng, rng.randrange(3, 5)), "<!--more-->"]
    words = sum(len(block.split()) for block in blocks)
    heading_at = rng.randrange(4, 7)
    while words < 480:
        if len(blocks) == heading_at:
            blocks.append("## " + rng.choice(HEADINGS))
        roll = rng.random()
        if roll < 0.12:
            block = "\n".join(f"- {rng.choice(CLAUSES).capitalize()}." for _ in range(rng.randrange(3, 6)))
        elif roll < 0.17:
            block = "> " + paragraph(rng, 2)
        else:
            block = paragraph(rng, rng.randrange(3, 6))
        blocks.append(block)
        words += len(block.split())
    return "\n\n".join(blocks) + "\n"


def make_posts(count: int, seed: int) -> list[CorpusPost]:
    """Return ``count`` posts, the same for the same arguments, oldest first."""
    rng = random.Random(seed)
    start = datetime.datetime(FIRST_YEAR, 1, 1, tzinfo=datetime.UTC)
    span = (datetime.datetime(LAST_YEAR + 1, 1, 1, tzinfo=datetime.UTC) - start).total_seconds()
    moments = sorted(start + datetime.timedelta(seconds=int(rng.random() * span)) for _ in range(count))
    names = [name for name, _weight in AUTHORS]
    weights = [weight for _name, weight in AUTHORS]
    slugs: set[str] = set()
    posts = []
    for moment in moments:
        title = f"{rng.choice(TITLE_OPENINGS)} {rng.choice(TITLE_TOPICS)}{rng.choice(TITLE_ENDINGS)}"
        title = title[0].upper() + title[1:]
        base = _slug(title)
        slug, number = base, 2
        while slug in slugs:
            slug, number = f"{base}-{number}", number + 1
        slugs.add(slug)
        first = rng.choices(names, weights)[0]
        authors = (first,)
        if rng.random() < 0.15:
            authors = (first, rng.choice([name for name in names if name != first]))
        posts.append(CorpusPost(
            title=title if slug == base else f"{title} ({number - 1})",
            slug=slug,
            date=moment.replace(second=0),
            authors=authors,
            category=rng.choice(CATEGORIES),
            tags=tuple(rng.sample(TAGS, rng.randrange(2, 6))),
            body=_body(rng),
        ))  # fmt: skip
    return posts


def _yaml_list(values) -> str:
    return "[" + ", ".join(json.dumps(value, ensure_ascii=False) for value in values) + "]"


def yaml_file(post: CorpusPost) -> str:
    """The post with YAML front matter (Hugo, Jekyll, Broadsheet); JSON strings are valid YAML."""
    return "\n".join([
        "---",
        f"title: {json.dumps(post.title, ensure_ascii=False)}",
        f"date: \"{post.date:%Y-%m-%dT%H:%M:%SZ}\"",
        f"slug: {post.slug}",
        f"authors: {_yaml_list(post.authors)}",
        f"categories: {_yaml_list([post.category])}",
        f"tags: {_yaml_list(post.tags)}",
        f"years: [\"{post.date:%Y}\"]",
        f"months: [\"{post.date:%Y-%m}\"]",
        "---",
        "",
        post.body,
    ])  # fmt: skip


def pelican_file(post: CorpusPost) -> str:
    """The post with Pelican's ``Key: value`` header."""
    return "\n".join([
        f"Title: {post.title}",
        f"Date: {post.date:%Y-%m-%d %H:%M}",
        f"Slug: {post.slug}",
        f"Authors: {', '.join(post.authors)}",
        f"Category: {post.category}",
        f"Tags: {', '.join(post.tags)}",
        "",
        post.body,
    ])  # fmt: skip


def corpus_folder(posts: int, seed: int) -> Path:
    return benchlib.RESULTS / f"corpus-{posts}-seed{seed}-v{CORPUS_VERSION}"


def write_corpus(posts: int, seed: int = 2024, out: Path | None = None, force: bool = False) -> tuple[Path, dict]:
    """Write the corpus (or reuse the cached one); return its folder and its summary."""
    out = Path(out) if out else corpus_folder(posts, seed)
    summary_file = out / "generation.json"
    if summary_file.exists() and not force:
        return out, json.loads(summary_file.read_text())
    if out.exists():
        shutil.rmtree(out)
    markdown, pelican = out / "markdown" / "posts", out / "pelican"
    markdown.mkdir(parents=True)
    pelican.mkdir(parents=True)
    digest = hashlib.sha256()
    words = 0
    items = make_posts(posts, seed)
    for post in items:
        text = yaml_file(post)
        (markdown / f"{post.slug}.md").write_text(text, encoding="utf-8")
        (pelican / f"{post.slug}.md").write_text(pelican_file(post), encoding="utf-8")
        digest.update(text.encode())
        words += len(post.body.split())
    summary = {
        "posts": posts,
        "seed": seed,
        "version": CORPUS_VERSION,
        "sha256": digest.hexdigest(),
        "mean_words": round(words / max(1, posts)),
        "authors": len(AUTHORS),
        "coauthored": sum(len(post.authors) > 1 for post in items),
        "categories": len({post.category for post in items}),
        "tags": len({tag for post in items for tag in post.tags}),
        "years": len({post.date.year for post in items}),
        "months": len({(post.date.year, post.date.month) for post in items}),
        "days": len({post.date.date() for post in items}),
    }
    summary_file.write_text(json.dumps(summary, indent=2) + "\n")
    return out, summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--out", type=Path, help="folder to write (default: bench/results/corpus-N-seedS-vV)")
    parser.add_argument("--force", action="store_true", help="write it again even if cached")
    args = parser.parse_args(argv)
    out, summary = write_corpus(args.posts, args.seed, args.out, args.force)
    print(f"{out}: {json.dumps(summary)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
