"""Generate a large, deterministic Broadsheet site for benchmarks.

    BROADSHEET_HOME=/tmp/site .venv/bin/python bench/generate_site.py [--posts 10000] [--seed 2024]

Everything goes through the Django ORM and the models' own ``save()`` (so every
body is rendered and sanitised and the search index is filled exactly as when
an editor publishes), in transactions of a few hundred posts. The site has:

* N posts (default 10,000) dated over 20 years (2005-2024, Europe/London), in
  date order, about 500 words of generated Markdown prose each, most with a
  ``<!--more-->`` fold (some with custom link text), headings, lists, links;
* 5 authors (unevenly prolific), about 15% of posts co-authored (2 or 3 authors);
* 12 categories, nested up to three levels; 80 tags, 2-5 per post;
* 2 sticky posts and 8 pages (some nested).

The same seed always gives the same site. ``--describe`` prints (as JSON) the
URLs the server benchmark uses: the busiest month archive and a typical post.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import sys
import time
import zoneinfo

# Bump when the generated content changes, so cached sites under bench/results/ are rebuilt.
GENERATOR_VERSION = 1

TIME_ZONE = "Europe/London"
FIRST_YEAR, LAST_YEAR = 2005, 2024  # 20 years
BATCH = 250

AUTHORS = [
    # slug, name, relative weight (how often they write)
    ("helen-marsh", "Helen Marsh", 30),
    ("david-okonjo", "David Okonjo", 25),
    ("sofia-lindqvist", "Sofía Lindqvist", 20),
    ("rajiv-menon", "Rajiv Menon", 15),
    ("claire-dubois", "Claire Dubois", 10),
]

CATEGORIES = [
    # slug, name, parent slug
    ("politics", "Politics", None),
    ("europe", "Europe", "politics"),
    ("elections", "Elections", "europe"),
    ("economy", "Economy", None),
    ("labour", "Labour markets", "economy"),
    ("budgets", "Public budgets", "economy"),
    ("cities", "Cities", None),
    ("housing", "Housing", "cities"),
    ("transport", "Transport", "cities"),
    ("culture", "Culture", None),
    ("books", "Books", "culture"),
    ("science", "Science", None),
]

TAGS = [
    "Austerity", "Pensions", "Railways", "Buses", "Cycling", "Libraries", "Museums", "Broadcasting",
    "Newspapers", "Universities", "Schools", "Hospitals", "Social care", "Rents", "Mortgages", "Planning",
    "Green belt", "Flooding", "Energy prices", "Nuclear power", "Wind farms", "Carbon tax", "Inflation",
    "Interest rates", "Wages", "Unions", "Strikes", "Productivity", "Trade", "Tariffs", "Customs", "Fishing",
    "Farming", "Water", "Rivers", "Air quality", "Immigration", "Asylum", "Citizenship", "Courts", "Prisons",
    "Policing", "Local elections", "Referendums", "Coalitions", "Devolution", "Scotland", "Wales",
    "Northern Ireland", "London", "Manchester", "Birmingham", "Glasgow", "Brussels", "Berlin", "Paris",
    "Madrid", "Rome", "Warsaw", "Lisbon", "Dublin", "Washington", "Census", "Statistics", "Polling",
    "Budget day", "Taxation", "Council tax", "Benefits", "Childcare", "Ageing", "Migration", "Technology",
    "Broadband", "Privacy", "Open data", "Science funding", "Space", "Climate", "Biodiversity",
]  # fmt: skip
assert len(TAGS) == len(set(TAGS)) == 80, len(TAGS)

PAGES = [
    # slug, title, parent slug, menu order
    ("about", "About", None, 1),
    ("team", "The team", "about", 1),
    ("contact", "Contact", "about", 2),
    ("policies", "Editorial policies", None, 2),
    ("corrections", "Corrections", "policies", 1),
    ("subscribe", "Subscribe", None, 3),
    ("archive-guide", "A guide to the archive", None, 4),
    ("colophon", "Colophon", None, 5),
]

# --- prose -------------------------------------------------------------------------------------------

SUBJECTS = [
    "The council", "Parliament", "The central bank", "Most economists", "The minister", "Local voters",
    "The opposition", "Every government since 1979", "The Treasury", "The commission", "Tenants",
    "Small businesses", "The unions", "Regional mayors", "The courts", "Younger workers", "Pensioners",
    "The planning inspectorate", "A cross-party committee", "The regulator", "Commuters", "Librarians",
    "The auditors", "Historians", "The polls",
]
VERBS = [
    "has argued for years that", "no longer believes that", "quietly accepted that", "keeps insisting that",
    "was warned in 2009 that", "seems to have forgotten that", "rarely admits that", "has good reason to think that",
    "discovered too late that", "spent a decade pretending that", "would prefer not to say that",
    "now concedes that", "was right to suspect that", "cannot show that", "has finally noticed that",
]
CLAUSES = [
    "the money was never there", "the figures do not add up", "the old rules still matter",
    "local knowledge beats a national target", "prices follow supply more than sentiment",
    "a reform announced is not a reform delivered", "the cheapest option is rarely the cheapest",
    "the queue is longer than the official count", "maintenance is the least glamorous kind of policy",
    "the consultation had been decided in advance", "the costs fall on people who were not asked",
    "trust takes longer to rebuild than a bridge", "the evidence points the other way",
    "nobody measured what happened next", "the second-order effects were predictable",
    "the timetable was written before the plan", "most of the savings were accounting",
    "the system works better than its reputation", "small changes compound over a decade",
    "the pilot scheme was never evaluated", "the headline number hides a wide range",
    "the problem is administrative, not ideological", "the boundary was drawn for convenience",
]
TAILS = [
    "", "", "", " and the record bears this out", ", whatever the press release says",
    " in almost every region", ", at least on paper", " by any reasonable measure", " more often than not",
    ", as the archive shows", " for reasons that are easy to explain", ", which is the harder point",
]
CONNECTIVES = [
    "In practice,", "Meanwhile,", "Even so,", "Put simply,", "At the same time,", "For now,", "Crucially,",
    "Still,", "By contrast,", "In the end,", "To be fair,", "Historically,",
]
TITLE_OPENINGS = [
    "Why", "How", "What", "When", "The case for", "Against", "Notes on", "In defence of", "After",
    "The trouble with", "Rethinking", "A short history of", "Counting", "Who pays for", "Beyond",
    "The quiet return of", "Letters on", "The politics of", "Reading", "Mapping",
]
TITLE_TOPICS = [
    "council housing", "the spending review", "rail fares", "the minimum wage", "local newspapers",
    "the green belt", "public libraries", "the pension triple lock", "regional airports", "school meals",
    "the census", "tidal power", "bus deregulation", "the fiscal rules", "coalition government",
    "the planning system", "city mayors", "student loans", "river pollution", "broadband rollout",
    "the night-time economy", "shared ownership", "the electoral map", "productivity statistics",
    "the BBC licence fee", "social care", "council tax bands", "the courts backlog", "cycle lanes",
    "water companies", "the science budget", "European elections", "inflation targets", "the high street",
    "commuter towns", "the pay gap", "port towns", "wind farms", "flood defences", "the civil service",
]
TITLE_ENDINGS = [
    "", "", "", " matters", " went wrong", " still works", ": a reply", " in ten charts", ", revisited",
    " and its critics", ": the long view", " after the vote", ", explained", " at fifty", ": what we learned",
    " is not the problem", " deserves better", ": the evidence", " without the jargon", ": a second look",
    " in the regions", ", twenty years on", " and the long run", ": myths and facts", " for beginners",
]
HEADINGS = [
    "What changed", "The numbers", "What would help", "A note on sources", "Where this leaves us",
    "The objection", "An older argument", "What to watch", "The counter-case", "Three lessons",
]
MORE_TEXTS = ["Read the rest", "Keep reading", "The full argument", "More after the fold"]


def _sentence(rng: random.Random) -> str:
    text = f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(CLAUSES)}{rng.choice(TAILS)}."
    if rng.random() < 0.25:
        text = f"{rng.choice(CONNECTIVES)} {text[0].lower()}{text[1:]}"
    if rng.random() < 0.06:
        words = text.split(" ")
        index = rng.randrange(1, len(words) - 1)
        words[index] = f"*{words[index]}*"
        text = " ".join(words)
    if rng.random() < 0.04:
        words = text.split(" ")
        index = rng.randrange(1, len(words) - 2)
        target = f"https://example.org/notes/{rng.randrange(1, 5000)}"
        words[index] = f"[{words[index]} {words[index + 1]}]({target})"
        del words[index + 1]
        text = " ".join(words)
    return text


def _paragraph(rng: random.Random, sentences: int) -> str:
    return " ".join(_sentence(rng) for _ in range(sentences))


def make_body(rng: random.Random) -> str:
    """Return about 500 words of Markdown, usually with a fold after the second paragraph."""
    blocks: list[str] = []
    words = 0
    fold_after = 2 if rng.random() < 0.85 else None
    heading_at = rng.randrange(3, 6)
    while words < 480:
        if len(blocks) == heading_at:
            blocks.append("## " + rng.choice(HEADINGS))
        if len(blocks) > 3 and rng.random() < 0.12:
            items = [f"- {rng.choice(CLAUSES).capitalize()}." for _ in range(rng.randrange(3, 6))]
            block = "\n".join(items)
        elif len(blocks) > 3 and rng.random() < 0.05:
            block = "> " + _paragraph(rng, 2)
        else:
            block = _paragraph(rng, rng.randrange(3, 6))
        blocks.append(block)
        words += len(block.split())
        if fold_after is not None and len(blocks) == fold_after:
            more = f" {rng.choice(MORE_TEXTS)}" if rng.random() < 0.1 else ""
            blocks.append(f"<!--more{more}-->")
            fold_after = None
    return "\n\n".join(blocks) + "\n"


def make_title(rng: random.Random, seen: set[str]) -> str:
    for _attempt in range(50):
        title = f"{rng.choice(TITLE_OPENINGS)} {rng.choice(TITLE_TOPICS)}{rng.choice(TITLE_ENDINGS)}"
        if title not in seen:
            break
    else:
        title = f"{title} ({len(seen)})"
    seen.add(title)
    return title[0].upper() + title[1:]


def publication_times(rng: random.Random, count: int) -> list[datetime.datetime]:
    zone = zoneinfo.ZoneInfo(TIME_ZONE)
    start = datetime.datetime(FIRST_YEAR, 1, 1, tzinfo=zone).timestamp()
    end = datetime.datetime(LAST_YEAR + 1, 1, 1, tzinfo=zone).timestamp()
    stamps = sorted(rng.uniform(start, end - 1) for _ in range(count))
    return [datetime.datetime.fromtimestamp(int(stamp), tz=datetime.UTC) for stamp in stamps]


# --- the site ----------------------------------------------------------------------------------------


def setup_django(home: str | None = None) -> None:
    if home:
        os.environ["BROADSHEET_HOME"] = home
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "broadsheet.conf.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)


def generate(posts: int = 10_000, seed: int = 2024, progress: bool = True) -> dict:
    """Create the whole site in the current (empty) database; return counts and timings."""
    from django.db import connection, transaction

    from broadsheet.content.models import Author, Category, Page, Post, PostAuthor, SiteSettings, Tag
    from broadsheet.content.slugs import slugify_title

    if Post.objects.exists() or Page.objects.exists():
        raise SystemExit("generate_site: the database already has content; use an empty BROADSHEET_HOME")
    rng = random.Random(seed)
    started = time.perf_counter()

    with transaction.atomic():
        site = SiteSettings.load()
        site.title = "The Benchmark Review"
        site.tagline = "Twenty years of long-form commentary"
        site.time_zone = TIME_ZONE
        site.posts_per_page = 10
        site.save()
        authors = [
            Author.objects.create(
                slug=slug,
                display_name=name,
                first_name=name.split()[0],
                last_name=name.split()[-1],
                bio=f"{name} writes about {rng.choice(TITLE_TOPICS)} and {rng.choice(TITLE_TOPICS)}.",
            )
            for slug, name, _weight in AUTHORS
        ]
        weights = [weight for _slug, _name, weight in AUTHORS]
        categories: dict[str, Category] = {}
        for slug, name, parent in CATEGORIES:
            categories[slug] = Category.objects.create(
                slug=slug, name=name, parent=categories.get(parent), description=f"Essays on {name.lower()}."
            )
        category_list = list(categories.values())
        tags = [Tag.objects.create(slug=slugify_title(name), name=name) for name in TAGS]

    times = publication_times(rng, posts)
    sticky = {posts - 3, posts - 40} if posts > 40 else set()
    seen_titles: set[str] = set()
    batch_started = time.perf_counter()
    PostCategory, PostTag = Post.categories.through, Post.tags.through
    for start in range(0, posts, BATCH):
        authorships, post_categories, post_tags = [], [], []
        with transaction.atomic():
            for index in range(start, min(start + BATCH, posts)):
                post = Post(
                    title=make_title(rng, seen_titles),
                    body=make_body(rng),
                    status="publish",
                    published_at=times[index],
                    sticky=index in sticky,
                    comment_status="open" if rng.random() < 0.7 else "closed",
                )
                post.save()
                roll = rng.random()
                count = 3 if roll < 0.03 else 2 if roll < 0.15 else 1
                chosen: list = []
                while len(chosen) < count:
                    author = rng.choices(authors, weights)[0]
                    if author not in chosen:
                        chosen.append(author)
                # What post.set_authors() and .categories/.tags.set() store, written once per batch
                # (bulk_create sends no m2m signals: the content version is bumped once at the end).
                authorships += [PostAuthor(post=post, author=a, position=n) for n, a in enumerate(chosen)]
                post_categories += [
                    PostCategory(post=post, category=category)
                    for category in rng.sample(category_list, 1 if rng.random() < 0.7 else 2)
                ]
                post_tags += [PostTag(post=post, tag=tag) for tag in rng.sample(tags, rng.randrange(2, 6))]
            PostAuthor.objects.bulk_create(authorships)
            PostCategory.objects.bulk_create(post_categories)
            PostTag.objects.bulk_create(post_tags)
        done = min(start + BATCH, posts)
        if progress and (done % 1000 == 0 or done == posts):
            elapsed = time.perf_counter() - batch_started
            print(f"  {done:>6} posts  {elapsed:6.1f} s  ({done / elapsed:.0f} posts/s)", flush=True)
    posts_seconds = time.perf_counter() - batch_started

    with transaction.atomic():
        pages: dict[str, Page] = {}
        for slug, title, parent, order in PAGES:
            page = Page(
                title=title,
                slug=slug,
                body=make_body(rng),
                status="publish",
                menu_order=order,
                parent=pages.get(parent),
                author=authors[0],
                published_at=times[0],
            )
            page.save()
            pages[slug] = page

    SiteSettings.bump_content_version()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    total = time.perf_counter() - started
    return {
        "posts": posts,
        "pages": len(PAGES),
        "authors": len(AUTHORS),
        "categories": len(CATEGORIES),
        "tags": len(TAGS),
        "seed": seed,
        "seconds": round(total, 1),
        "posts_per_second": round(posts / posts_seconds, 1),
        "generator_version": GENERATOR_VERSION,
    }


def describe() -> dict:
    """Return facts about the generated site and the URLs the server benchmark requests."""
    from django.db.models import Count
    from django.db.models.functions import TruncMonth

    from broadsheet.content.models import Page, Post, SiteSettings
    from broadsheet.search.models import SearchDocument

    site = SiteSettings.load()
    listed = Post.objects.listed()
    busiest = (
        listed.annotate(month=TruncMonth("published_at", tzinfo=site.tzinfo))
        .values("month")
        .annotate(count=Count("id"))
        .order_by("-count", "-month")
        .first()
    )
    month = busiest["month"]
    # A typical post: co-authored, with a fold, categories and tags, from the middle of the archive.
    candidates = list(
        listed.annotate(author_count=Count("authorships", distinct=True))
        .filter(author_count=2, has_fold=True)
        .order_by("published_at", "id")
        .values_list("pk", flat=True)
    )
    post = Post.objects.get(pk=candidates[len(candidates) // 2])
    SiteSettings.use(site)
    words = [len(text.split()) for text in listed.values_list("plain_text", flat=True)[:500]]
    return {
        "posts": Post.objects.count(),
        "listed_posts": listed.count(),
        "pages": Page.objects.count(),
        "search_documents": SearchDocument.objects.count(),
        "with_fold": listed.filter(has_fold=True).count(),
        "coauthored": listed.annotate(n=Count("authorships")).filter(n__gt=1).count(),
        "months": listed.annotate(month=TruncMonth("published_at", tzinfo=site.tzinfo))
        .values("month")
        .distinct()
        .count(),
        "mean_words": round(sum(words) / max(len(words), 1)),
        "month_url": f"/{month.year:04d}/{month.month:02d}/",
        "month_posts": busiest["count"],
        "post_url": post.get_absolute_url(),
        "post_title": post.title,
        "post_words": len(post.plain_text.split()),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=10_000, help="number of posts (default 10000)")
    parser.add_argument("--seed", type=int, default=2024, help="random seed (default 2024)")
    parser.add_argument("--home", help="BROADSHEET_HOME to create the site in (default: the environment's)")
    parser.add_argument("--describe", action="store_true", help="print facts and benchmark URLs as JSON, create nothing")
    parser.add_argument("--json", action="store_true", help="print the generation summary as JSON on the last line")
    args = parser.parse_args(argv)

    setup_django(args.home)
    if args.describe:
        print(json.dumps(describe()))
        return 0
    from django.conf import settings

    print(f"Generating {args.posts} posts (seed {args.seed}) in {settings.HOME}", flush=True)
    summary = generate(args.posts, args.seed)
    print(
        f"Generated {summary['posts']} posts and {summary['pages']} pages in {summary['seconds']:.1f} s "
        f"({summary['posts_per_second']:.0f} posts/s, bodies rendered through Post.save())",
        flush=True,
    )
    if args.json:
        print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
