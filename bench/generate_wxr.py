"""Write a large, realistic, deterministic WordPress export (WXR 1.2) for import benchmarks.

    .venv/bin/python bench/generate_wxr.py OUT.xml [--posts 20000] [--comments 100000] [--seed 2024]

The file has the shape of ``export_wp()``'s output (see
tests/importers/fixtures/wxr/small-site.xml and ../shared/FIELD.md section 3):

* 5 authors (unevenly prolific), 12 categories nested up to three levels, 80 tags;
* N posts (default 20,000) dated 2006-2024 in ID order, each about 500 words of
  WordPress *classic* HTML (no ``<p>``: paragraphs are blank lines, single
  newlines are ``<br>``), with ``<!--more-->`` in most (some with custom text),
  links, emphasis, headings, lists, block quotes and uploads images; mostly
  published, some drafts (floating dates, empty slugs), pending, private,
  scheduled, password-protected and sticky posts; ``_edit_last`` and the odd
  ``_wp_old_slug`` post meta;
* about one page per 200 posts (at least 5), some nested under others;
* M comments (default 100,000) on published and private posts, in threads
  (``wp:comment_parent`` names an earlier comment of the same post), about 82%
  approved, 15% pending, 3% pingbacks; some from the post's author (user IDs).

Written as it goes (flat memory apart from one small int per post), and the
same arguments always give byte-identical files (seeded ``random.Random``).
``generate()`` returns what the file holds, counted, for tests and benchmarks.
"""

from __future__ import annotations

import argparse
import datetime
import json
import random
import sys
import zoneinfo
from pathlib import Path

VERSION = 1  # bump when the output changes, so cached files are regenerated
SITE = "https://bench.example.org"
ZONE = zoneinfo.ZoneInfo("Europe/Berlin")
START = datetime.datetime(2006, 1, 1, tzinfo=datetime.UTC)
END = datetime.datetime(2024, 12, 31, tzinfo=datetime.UTC)

AUTHORS = [  # login, display name, first, last, weight
    ("ehartley", "Eleanor Hartley", "Eleanor", "Hartley", 40),
    ("jmensah", "Joseph Mensah", "Joseph", "Mensah", 25),
    ("lcosta", "Lúcia Costa", "Lúcia", "Costa", 18),
    ("pnowak", "Piotr Nowak", "Piotr", "Nowak", 12),
    ("guest", "Guest Contributor", "", "", 5),
]

CATEGORIES = [  # slug, name, parent slug
    ("politics", "Politics", ""),
    ("europe", "Europe", "politics"),
    ("elections", "Elections", "europe"),
    ("local-government", "Local government", "politics"),
    ("economy", "Economy", ""),
    ("housing", "Housing", "economy"),
    ("labour-markets", "Labour markets", "economy"),
    ("trade", "Trade", "economy"),
    ("science", "Science", ""),
    ("climate", "Climate", "science"),
    ("health", "Health", "science"),
    ("culture", "Culture & books", ""),
]

WORDS = """
the of and to in a is that for it as was with be by on not he this are or his from at which but have an they
you were her she there one all we their can has been would more when if no out so said what up its about into
than them only other new some could time these two may then first any like now my such make over our even most
me state after also made many did must before back see through way where get much go well your know should down
year work because come people just say each those take day good how long little use very great world still own
public policy council budget housing market labour trade report figure minister election vote party reform
parliament treaty region city village school hospital river railway harbour bridge library museum archive
evidence survey sample average growth decline rent wage price tax spending loan bank credit debt pension
argument question answer reason problem solution history century decade morning evening winter summer spring
autumn letter reader writer editor essay chapter page note column review story account record memory
careful quiet steady sudden gradual modest ambitious local national regional rural urban private common
fair honest narrow broad early late recent former later obvious uncertain plain simple difficult useful
building planning measure compare explain argue suggest consider describe remember notice follow change
improve reduce increase borrow lend spend save count weigh test doubt accept refuse promise deliver
""".split()

COMMENTERS = [
    "Anna K.", "Ben Osei", "Carla", "D. Whitfield", "Eoin Byrne", "Farah", "Gregor M.", "Hana Sato", "Ivo",
    "Jules Martin", "Kofi", "Lena Vogel", "Marta R.", "Nils", "Olu Adeyemi", "Priya", "Quentin", "Rosa Lind",
    "Sam", "Tereza Novak", "Uma", "Viktor", "Wen Li", "Xavier", "Yara", "Zoltan B.",
]

NS = (
    'xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"\n'
    '\txmlns:content="http://purl.org/rss/1.0/modules/content/"\n'
    '\txmlns:wfw="http://wellformedweb.org/CommentAPI/"\n'
    '\txmlns:dc="http://purl.org/dc/elements/1.1/"\n'
    '\txmlns:wp="http://wordpress.org/export/1.2/"'
)


def cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _sentence(rng: random.Random, low: int = 7, high: int = 20) -> str:
    words = rng.choices(WORDS, k=rng.randint(low, high))
    if rng.random() < 0.18:
        i = rng.randrange(len(words))
        kind = rng.random()
        if kind < 0.4:
            words[i] = f"<em>{words[i]}</em>"
        elif kind < 0.6:
            words[i] = f"<strong>{words[i]}</strong>"
        else:
            words[i] = f'<a href="https://{rng.choice(("example.com", "example.net", "example.org"))}/{words[i]}-{rng.randint(1, 999)}">{words[i]}</a>'
    text = " ".join(words)
    return text[0].upper() + text[1:] + rng.choice(".....?!")


def _paragraph(rng: random.Random) -> str:
    sentences = [_sentence(rng) for _ in range(rng.randint(3, 7))]
    if rng.random() < 0.15:  # a manual line break, which wpautop turns into <br />
        i = rng.randrange(1, len(sentences)) if len(sentences) > 1 else 0
        sentences[i] = "\n" + sentences[i]
    return " ".join(sentences).replace(" \n", "\n")


def make_body(rng: random.Random, date: datetime.datetime, words: int = 500) -> str:
    """About ``words`` words of classic-editor HTML (no <p>), with a fold in most."""
    blocks: list[str] = []
    count = 0
    while count < words:
        roll = rng.random()
        if blocks and roll < 0.07:
            block = f"<h2>{_sentence(rng, 3, 6).rstrip('.?!')}</h2>"
        elif blocks and roll < 0.12:
            block = "<ul>\n" + "\n".join(f"\t<li>{_sentence(rng, 3, 9)}</li>" for _ in range(rng.randint(2, 5))) + "\n</ul>"
        elif blocks and roll < 0.16:
            block = f"<blockquote>{_sentence(rng, 10, 25)}</blockquote>"
        elif blocks and roll < 0.19:
            n = rng.randint(1, 9999)
            block = (
                f'<img class="aligncenter size-large wp-image-{n}" src="{SITE}/wp-content/uploads/'
                f'{date:%Y/%m}/photo-{n}.jpg" alt="{rng.choice(WORDS)}" width="640" height="427" />'
            )
        else:
            block = _paragraph(rng)
        blocks.append(block)
        count += block.count(" ") + 1
        if len(blocks) == 1:
            roll = rng.random()
            if roll < 0.70:
                blocks.append("<!--more-->")
            elif roll < 0.80:
                blocks.append(f"<!--more {rng.choice(('Read on', 'Keep reading', 'The whole argument'))}-->")
    return "\n\n".join(blocks)


def _slug(title: str) -> str:
    return "-".join(word for word in title.lower().replace("?", "").replace(",", "").split())


def _title(rng: random.Random) -> str:
    text = " ".join(rng.choices(WORDS, k=rng.randint(3, 8)))
    return text[0].upper() + text[1:]


def _wp_date(moment: datetime.datetime | None) -> str:
    return "0000-00-00 00:00:00" if moment is None else moment.strftime("%Y-%m-%d %H:%M:%S")


def _rfc822(moment: datetime.datetime) -> str:
    return moment.strftime("%a, %d %b %Y %H:%M:%S +0000")


def _status(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.88:
        return "publish"
    if roll < 0.94:
        return "draft"
    if roll < 0.96:
        return "pending"
    if roll < 0.98:
        return "private"
    return "future"


def generate(path, posts: int = 20_000, comments: int = 100_000, seed: int = 2024, pages: int | None = None) -> dict:
    """Write the export to ``path``; return its counts (JSON-able)."""
    rng = random.Random(seed)
    pages = max(5, posts // 200) if pages is None else pages
    total = posts + pages
    # Decide each item's kind and status up front (one small value per item) so the
    # comments can be spread over the posts that may have them.
    page_at = {int((k + 0.5) * total / pages) for k in range(pages)} if pages else set()  # evenly spread
    kinds = ["page" if index in page_at else "post" for index in range(total)]
    del page_at
    statuses = [_status(rng) if kind == "post" else ("publish" if rng.random() < 0.9 else "draft") for kind in kinds]
    commentable = [i for i, kind in enumerate(kinds) if kind == "post" and statuses[i] in ("publish", "private")]
    per_item = [0] * total
    if commentable and comments:
        weights = [rng.paretovariate(1.5) for _ in commentable]
        for i in rng.choices(commentable, weights=weights, k=comments):
            per_item[i] += 1
    del commentable

    counts = {
        "version": VERSION, "seed": seed, "posts": posts, "pages": pages, "comments": comments,
        "authors": len(AUTHORS), "categories": len(CATEGORIES), "tags": 80,
        "posts_by_status": {}, "pages_by_status": {}, "comments_by_status": {}, "comment_replies": 0,
        "pingbacks": 0, "sticky": 0, "protected": 0, "with_fold": 0, "bytes": 0,
    }  # fmt: skip
    tags = [(f"tag-{i:02d}-{word}", f"{word.capitalize()} {i}") for i, word in enumerate(rng.sample(WORDS[60:], 80))]
    leaves = [slug for slug, _, _ in CATEGORIES if not any(parent == slug for _, _, parent in CATEGORIES)]
    category_names = {slug: name for slug, name, _ in CATEGORIES}
    author_weights = [a[4] for a in AUTHORS]
    span = (END - START).total_seconds()
    comment_id = 1000
    page_ids: list[int] = []

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".part")
    with temporary.open("w", encoding="utf-8", buffering=1 << 20) as out:
        w = out.write
        w('<?xml version="1.0" encoding="UTF-8" ?>\n')
        w(f"<!-- Generated by Broadsheet's bench/generate_wxr.py (v{VERSION}, seed {seed}). -->\n")
        w(f"<rss version=\"2.0\"\n\t{NS}\n>\n<channel>\n")
        w("\t<title>The Long Read Review</title>\n")
        w(f"\t<link>{SITE}</link>\n\t<description>Essays, numbers and arguments</description>\n")
        w("\t<pubDate>Tue, 31 Dec 2024 12:00:00 +0000</pubDate>\n\t<language>en-GB</language>\n")
        w(f"\t<wp:wxr_version>1.2</wp:wxr_version>\n\t<wp:base_site_url>{SITE}</wp:base_site_url>\n")
        w(f"\t<wp:base_blog_url>{SITE}</wp:base_blog_url>\n\n")
        for number, (login, display, first, last, _) in enumerate(AUTHORS, start=1):
            w(
                f"\t<wp:author><wp:author_id>{number}</wp:author_id><wp:author_login>{cdata(login)}</wp:author_login>"
                f"<wp:author_email>{cdata(login + '@example.org')}</wp:author_email>"
                f"<wp:author_display_name>{cdata(display)}</wp:author_display_name>"
                f"<wp:author_first_name>{cdata(first)}</wp:author_first_name>"
                f"<wp:author_last_name>{cdata(last)}</wp:author_last_name></wp:author>\n"
            )
        w("\n")
        term_id = 2
        for slug, name, parent in CATEGORIES:
            w(
                f"\t<wp:category><wp:term_id>{term_id}</wp:term_id><wp:category_nicename>{cdata(slug)}</wp:category_nicename>"
                f"<wp:category_parent>{cdata(parent)}</wp:category_parent><wp:cat_name>{cdata(name)}</wp:cat_name>"
                f"<wp:category_description>{cdata('Writing on ' + name.lower())}</wp:category_description></wp:category>\n"
            )
            term_id += 1
        for slug, name in tags:
            w(
                f"\t<wp:tag><wp:term_id>{term_id}</wp:term_id><wp:tag_slug>{cdata(slug)}</wp:tag_slug>"
                f"<wp:tag_name>{cdata(name)}</wp:tag_name></wp:tag>\n"
            )
            term_id += 1
        w("\n")

        for index in range(total):
            post_id = 10 + index
            kind, status = kinds[index], statuses[index]
            author = rng.choices(range(len(AUTHORS)), weights=author_weights)[0]
            login = AUTHORS[author][0]
            moment = START + datetime.timedelta(seconds=span * (index + rng.random()) / total)
            if status == "future":
                moment = datetime.datetime(2099, 1, 1, tzinfo=datetime.UTC) + datetime.timedelta(hours=index)
            local = moment.astimezone(ZONE).replace(tzinfo=None)
            gmt = moment.replace(tzinfo=None)
            title = _title(rng)
            slug = _slug(title)
            if kind == "post":
                link = f"{SITE}/{local:%Y/%m/%d}/{slug}/" if status in ("publish", "private") else f"{SITE}/?p={post_id}"
                guid = f"{SITE}/?p={post_id}"
            else:
                link = f"{SITE}/{slug}/"
                guid = f"{SITE}/?page_id={post_id}"
            floating = status in ("draft", "pending") and rng.random() < 0.5
            name = "" if status == "draft" and rng.random() < 0.5 else slug
            body = make_body(rng, local) if kind == "post" else make_body(rng, local, words=rng.randint(80, 300))
            if "<!--more" in body:
                counts["with_fold"] += kind == "post"
            modified = moment + datetime.timedelta(hours=rng.randint(0, 200))
            password = "members" if kind == "post" and status == "publish" and rng.random() < 0.01 else ""
            sticky = kind == "post" and status == "publish" and rng.random() < 0.001
            parent = 0
            if kind == "page" and page_ids and rng.random() < 0.3:
                parent = rng.choice(page_ids)
            excerpt = _sentence(rng) if kind == "post" and rng.random() < 0.2 else ""
            parts = [
                "\t<item>\n",
                f"\t\t<title>{cdata(title)}</title>\n",
                f"\t\t<link>{link}</link>\n",
                f"\t\t<pubDate>{_rfc822(moment)}</pubDate>\n",
                f"\t\t<dc:creator>{cdata(login)}</dc:creator>\n",
                f'\t\t<guid isPermaLink="false">{guid}</guid>\n',
                "\t\t<description></description>\n",
                f"\t\t<content:encoded>{cdata(body)}</content:encoded>\n",
                f"\t\t<excerpt:encoded>{cdata(excerpt)}</excerpt:encoded>\n",
                f"\t\t<wp:post_id>{post_id}</wp:post_id>\n",
                f"\t\t<wp:post_date>{cdata(_wp_date(local))}</wp:post_date>\n",
                f"\t\t<wp:post_date_gmt>{cdata(_wp_date(None if floating else gmt))}</wp:post_date_gmt>\n",
                f"\t\t<wp:post_modified>{cdata(_wp_date(modified.astimezone(ZONE).replace(tzinfo=None)))}</wp:post_modified>\n",
                f"\t\t<wp:post_modified_gmt>{cdata(_wp_date(modified.replace(tzinfo=None)))}</wp:post_modified_gmt>\n",
                f"\t\t<wp:comment_status>{cdata('open' if kind == 'post' and rng.random() < 0.9 else 'closed')}</wp:comment_status>\n",
                f"\t\t<wp:ping_status>{cdata('open' if kind == 'post' else 'closed')}</wp:ping_status>\n",
                f"\t\t<wp:post_name>{cdata(name)}</wp:post_name>\n",
                f"\t\t<wp:status>{cdata(status)}</wp:status>\n",
                f"\t\t<wp:post_parent>{parent}</wp:post_parent>\n",
                f"\t\t<wp:menu_order>{len(page_ids) if kind == 'page' else 0}</wp:menu_order>\n",
                f"\t\t<wp:post_type>{cdata(kind)}</wp:post_type>\n",
                f"\t\t<wp:post_password>{cdata(password)}</wp:post_password>\n",
                f"\t\t<wp:is_sticky>{int(sticky)}</wp:is_sticky>\n",
            ]
            if kind == "post":
                chosen = rng.sample(leaves, rng.choice((1, 1, 1, 2)))
                if rng.random() < 0.1:
                    chosen.append(rng.choice([slug for slug, _, parent_slug in CATEGORIES if not parent_slug]))
                for category in sorted(set(chosen), key=category_names.get):
                    parts.append(f'\t\t<category domain="category" nicename="{category}">{cdata(category_names[category])}</category>\n')
                for tag_slug, tag_name in sorted(rng.sample(tags, rng.randint(0, 5)), key=lambda t: t[1]):
                    parts.append(f'\t\t<category domain="post_tag" nicename="{tag_slug}">{cdata(tag_name)}</category>\n')
            parts.append(
                f"\t\t<wp:postmeta><wp:meta_key>{cdata('_edit_last')}</wp:meta_key>"
                f"<wp:meta_value>{cdata(str(author + 1))}</wp:meta_value></wp:postmeta>\n"
            )
            if kind == "post" and status == "publish" and rng.random() < 0.03:
                parts.append(
                    f"\t\t<wp:postmeta><wp:meta_key>{cdata('_wp_old_slug')}</wp:meta_key>"
                    f"<wp:meta_value>{cdata(slug + '-draft')}</wp:meta_value></wp:postmeta>\n"
                )
            if kind == "page":
                parts.append(
                    f"\t\t<wp:postmeta><wp:meta_key>{cdata('_wp_page_template')}</wp:meta_key>"
                    f"<wp:meta_value>{cdata('default')}</wp:meta_value></wp:postmeta>\n"
                )
            first_comment = comment_id
            when = moment
            for n in range(per_item[index]):
                comment_id += 1
                when = when + datetime.timedelta(minutes=rng.randint(1, 60 * 24 * (3 if n < 10 else 30)))
                roll = rng.random()
                pingback = roll < 0.03
                approved = "1" if pingback or roll < 0.85 else "0"
                reply_to = 0
                if not pingback and comment_id > first_comment + 1 and rng.random() < 0.45:
                    reply_to = rng.randrange(first_comment + 1, comment_id)
                by_author = reply_to and rng.random() < 0.3
                if pingback:
                    who, email, url = "Other Blog", "", f"https://blog{rng.randint(1, 500)}.example.com/post-{rng.randint(1, 9999)}/"
                    content = f"[&#8230;] {_sentence(rng, 6, 14)} [&#8230;]"
                    ctype, user_id = "pingback", 0
                    counts["pingbacks"] += 1
                elif by_author:
                    who, email, url = AUTHORS[author][1], f"{login}@example.org", ""
                    content = _sentence(rng, 6, 25)
                    ctype, user_id = "comment", author + 1
                else:
                    who = rng.choice(COMMENTERS)
                    email = who.lower().replace(" ", ".").replace(".", "") + "@example.net"
                    url = f"https://{who.split()[0].lower().strip('.')}.example.net" if rng.random() < 0.3 else ""
                    content = "\n\n".join(_sentence(rng, 5, 25) for _ in range(rng.randint(1, 4)))
                    ctype, user_id = ("" if rng.random() < 0.5 else "comment"), 0
                counts["comment_replies"] += bool(reply_to)
                status_key = "approved" if approved == "1" else "pending"
                counts["comments_by_status"][status_key] = counts["comments_by_status"].get(status_key, 0) + 1
                ip = f"{rng.choice(('192.0.2', '198.51.100', '203.0.113'))}.{rng.randint(1, 254)}"
                parts.append(
                    "\t\t<wp:comment>\n"
                    f"\t\t\t<wp:comment_id>{comment_id}</wp:comment_id>\n"
                    f"\t\t\t<wp:comment_author>{cdata(who)}</wp:comment_author>\n"
                    f"\t\t\t<wp:comment_author_email>{cdata(email)}</wp:comment_author_email>\n"
                    f"\t\t\t<wp:comment_author_url>{url}</wp:comment_author_url>\n"
                    f"\t\t\t<wp:comment_author_IP>{cdata(ip)}</wp:comment_author_IP>\n"
                    f"\t\t\t<wp:comment_date>{cdata(_wp_date(when.astimezone(ZONE).replace(tzinfo=None)))}</wp:comment_date>\n"
                    f"\t\t\t<wp:comment_date_gmt>{cdata(_wp_date(when.replace(tzinfo=None)))}</wp:comment_date_gmt>\n"
                    f"\t\t\t<wp:comment_content>{cdata(content)}</wp:comment_content>\n"
                    f"\t\t\t<wp:comment_approved>{cdata(approved)}</wp:comment_approved>\n"
                    f"\t\t\t<wp:comment_type>{cdata(ctype)}</wp:comment_type>\n"
                    f"\t\t\t<wp:comment_parent>{reply_to}</wp:comment_parent>\n"
                    f"\t\t\t<wp:comment_user_id>{user_id}</wp:comment_user_id>\n"
                    "\t\t</wp:comment>\n"
                )
            parts.append("\t</item>\n")
            w("".join(parts))
            bucket = counts["posts_by_status" if kind == "post" else "pages_by_status"]
            bucket[status] = bucket.get(status, 0) + 1
            counts["sticky"] += bool(sticky)
            counts["protected"] += bool(password)
            if kind == "page":
                page_ids.append(post_id)
        w("</channel>\n</rss>\n")
    temporary.replace(path)
    counts["bytes"] = path.stat().st_size
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("output", help="where to write the .xml file")
    parser.add_argument("--posts", type=int, default=20_000)
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--pages", type=int, default=None, help="default: posts/200, at least 5")
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args(argv)
    counts = generate(args.output, args.posts, args.comments, args.seed, args.pages)
    json.dump(counts, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
