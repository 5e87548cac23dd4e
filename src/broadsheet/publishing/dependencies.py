"""Which URLs a change touches: from footprints before and after, the pages to render or remove.

For a post, the pages that show it are: its permalink (and its comment
feeds); the previous and next posts' pages (they link to it); in every
listing it is in (home, its year, month and day, each of its categories and
their parents, its tags, its authors) the page it falls on, or every page
from where it entered or left to the end (each later post moves by one);
the feeds of those listings when it is among their newest items; the site's
comment feeds when one of its comments is among the newest; the sitemap;
and the site-wide parts (archive counts, categories, recent posts, menu)
when what they count changed.

Positions are counted in the database after the change, among the posts
the change did not touch (which are as they were before), so the "before"
side needs no query before the write: only the footprint.

Pages at unbounded cost (the pagination tail after a post entered or left a
long listing, and the sitemap) are *deferred*: removed from the store at once
(readers get Django's answer for them meanwhile, never a stale page) and
rendered after the rest.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q, Subquery
from django.utils import timezone

from broadsheet.comments.models import Comment
from broadsheet.content.models import Post
from broadsheet.feeds.feeds import FEED_ITEMS
from broadsheet.publishing.footprints import PageFootprint, PostFootprint, SiteShape
from broadsheet.theme.context import RECENT_POSTS

SITEMAP = "/sitemap.xml"
SITE_FEEDS = ("/feed/", "/feed/atom/")
COMMENT_FEEDS = ("/comments/feed/", "/comments/feed/atom/")

# Render order: what readers of the change see first.
ENTRY, FIRST_PAGES, FEEDS, LISTING_PAGES, NEIGHBOURS, COMMENT_PAGES = range(6)


@dataclass
class Plan:
    render: dict[str, int] = field(default_factory=dict)  # URL -> priority
    deferred: dict[str, int] = field(default_factory=dict)  # removed at once, rendered after the rest
    remove: set[str] = field(default_factory=set)
    parts: bool = False
    redirects: list[tuple[str, str, int]] = field(default_factory=list)  # (old path, "post"/"page", pk)
    # Listing pages whose posts are known (from the store): URL -> (listing key, total, page number, post ids)
    windows: dict[str, tuple] = field(default_factory=dict)

    def add(self, url: str | None, priority: int) -> None:
        if url and not url.startswith("/?"):
            self.render[url] = min(priority, self.render.get(url, priority))

    def defer(self, url: str, priority: int = 0) -> None:
        self.deferred[url] = min(priority, self.deferred.get(url, priority))

    def finish(self) -> Plan:
        """Settle overlaps: a URL rendered at once is not also deferred or removed."""
        for url in self.render:
            self.deferred.pop(url, None)
        self.remove -= set(self.render) | set(self.deferred)
        return self

    def __len__(self):
        return len(self.render) + len(self.deferred)


def listing_base(key: tuple) -> str:
    kind = key[0]
    if kind == "home":
        return "/"
    if kind == "year":
        return f"/{key[1]:04d}/"
    if kind == "month":
        return f"/{key[1]:04d}/{key[2]:02d}/"
    if kind == "day":
        return f"/{key[1]:04d}/{key[2]:02d}/{key[3]:02d}/"
    return key[1]


def term_listing_key(kind: str, term) -> tuple[str, str]:
    """The listing key of a category, tag or author: its archive's path as readers' URLs name it, decoded.

    Store keys are decoded paths ("/author/sofía/"), as ``serve`` looks them up
    and as files are named; ``get_absolute_url()`` of a term is percent-encoded
    by ``reverse()``, so it is not used here.
    """
    if kind == "category":
        return (kind, f"/category/{term.path}/")
    return (kind, f"/{kind}/{term.slug}/")


def listing_page_url(key: tuple, number: int) -> str:
    base = listing_base(key)
    return base if number <= 1 else f"{base}page/{number}/"


def listing_feeds(key: tuple) -> tuple[str, ...]:
    if key[0] == "home":
        return SITE_FEEDS
    if key[0] in ("category", "tag", "author"):
        return (key[1] + "feed/", key[1] + "feed/atom/")
    return ()


def period_bounds(key: tuple, tzinfo) -> tuple[datetime.datetime, datetime.datetime]:
    """Return the aware [start, end) of a date listing, as Django's date views compute it."""
    kind, year = key[0], key[1]
    if kind == "year":
        start, end = datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1)
    elif kind == "month":
        start = datetime.date(year, key[2], 1)
        end = datetime.date(year + (key[2] == 12), key[2] % 12 + 1, 1)
    else:
        start = datetime.date(year, key[2], key[3])
        end = start + datetime.timedelta(days=1)
    make = lambda day: timezone.make_aware(datetime.datetime.combine(day, datetime.time.min), tzinfo)  # noqa: E731
    return make(start), make(end)


def listing_queryset(key: tuple, shape: SiteShape, now: datetime.datetime):
    """Return the listed posts of a listing, as its view selects them."""
    posts = Post.objects.listed(now)
    kind = key[0]
    if kind == "home":
        return posts
    if kind in ("year", "month", "day"):
        start, end = period_bounds(key, shape.tzinfo)
        return posts.filter(published_at__gte=start, published_at__lt=end)
    if kind == "category":
        path = key[1][len("/category/") : -1]
        ids = [pk for pk, other in shape.category_paths.items() if other == path or other.startswith(path + "/")]
        through = Post.categories.through.objects.filter(category_id__in=ids).values("post_id")
        return posts.filter(pk__in=Subquery(through))
    if kind == "tag":
        return posts.filter(tags__slug=key[1][len("/tag/") : -1])
    if kind == "author":
        return posts.filter(authors__slug=key[1][len("/author/") : -1])
    raise ValueError(f"unknown listing {key!r}")


def _comes_before(key: tuple, sticky_first: bool) -> Q:
    """Posts listed before one with sort key ``key`` (newest first, sticky first on the home page)."""
    if sticky_first:
        sticky, published_at, pk = key
        later = Q(published_at__gt=published_at) | Q(published_at=published_at, pk__gt=pk)
        return Q(sticky=True) & later if sticky else Q(sticky=True) | later
    published_at, pk = key
    return Q(published_at__gt=published_at) | Q(published_at=published_at, pk__gt=pk)


@dataclass
class _Move:
    before: PostFootprint | None
    after: PostFootprint | None

    @property
    def changed(self) -> bool:
        return self.before != self.after


def plan_changes(changes: dict, shape: SiteShape, now: datetime.datetime | None = None, store=None) -> Plan:
    """Return the plan for ``changes``: ``{("post"|"page"|"comment", pk): (before, after)}`` footprints.

    With the page ``store``, an edit that moves no post in any listing takes the
    pages that show the post from the store's record of what each page shows,
    instead of counting positions in the database.
    """
    now = now or timezone.now()
    plan = Plan()
    posts = {key[1]: _Move(*states) for key, states in changes.items() if key[0] == "post" and states[0] != states[1]}
    pages = {key[1]: states for key, states in changes.items() if key[0] == "page" and states[0] != states[1]}
    comments = {key[1]: states for key, states in changes.items()
                if key[0] == "comment" and states[0] != states[1]}  # fmt: skip
    knows_pages = store is not None and store.meta("shows") == "1"  # a store that records what pages show
    if posts and knows_pages and all(_stays_in_place(move) for move in posts.values()):
        _plan_edits_in_place(plan, posts, shape, now, store)
    elif posts:
        _plan_posts(plan, posts, shape, now, store)
    for before, after in pages.values():
        _plan_page(plan, before, after)
    if comments:
        _plan_comments(plan, comments, changes, now)
    _plan_entry_comment_feeds_ranking(plan, posts, pages, now)
    return plan.finish()


# -- posts ---------------------------------------------------------------------------------------


def _plan_posts(plan: Plan, moves: dict[int, _Move], shape: SiteShape, now, store=None) -> None:
    for pk, move in moves.items():
        before, after = move.before, move.after
        _plan_entry_urls(plan, "post", pk, before, after)
        if (before and before.sitemap) != (after and after.sitemap):
            plan.defer(SITEMAP)
        if (before and before.sidebar) != (after and after.sidebar):
            plan.parts = True
    listings: set = set()
    for move in moves.values():
        for state in (move.before, move.after):
            if state is not None:
                listings |= state.listings
    changed_ids = list(moves)
    pp = shape.posts_per_page
    for key in sorted(listings, key=repr):
        sticky_first = key[0] == "home"
        positions, totals = _positions(key, moves, changed_ids, shape, now, sticky_first=sticky_first)
        last = _plan_listing_pages(plan, key, moves, positions, totals, pp)
        if store is not None and totals[0] != totals[1]:
            _plan_stored_pages_past(plan, key, last, store)
        if key[0] == "home":
            feed_positions, _ = _positions(key, moves, changed_ids, shape, now, sticky_first=False)
            _plan_feeds(plan, key, moves, feed_positions)
            if _changes_recent_posts(moves, feed_positions):
                plan.parts = True
        elif listing_feeds(key):
            _plan_feeds(plan, key, moves, positions)
    _plan_neighbours(plan, moves, now)


def _stays_in_place(move: _Move) -> bool:
    """Whether a change leaves the post where it was in every listing (its text, title or terms' names changed)."""
    before, after = move.before, move.after
    return (
        before is not None
        and after is not None
        and (before.listed, before.listings, before.published_at, before.sticky, before.stored_path)
        == (after.listed, after.listings, after.published_at, after.sticky, after.stored_path)
    )


def _plan_edits_in_place(plan: Plan, moves: dict[int, _Move], shape: SiteShape, now, store) -> None:
    """Posts that changed in place: re-render the stored pages that show them, as recorded when rendered."""
    for pk, move in moves.items():
        before, after = move.before, move.after
        _plan_entry_urls(plan, "post", pk, before, after)
        if before.sitemap != after.sitemap:
            plan.defer(SITEMAP)
        if before.sidebar != after.sidebar:
            plan.parts = True
        if before.appearance == after.appearance:
            continue
        bases = {listing_base(key): key for key in after.listings}
        for url, kind in store.shown_on(pk):
            if kind == "listing":
                key = bases.get(url.split("page/")[0] if "/page/" in url else url)
                window = store.window(url)
                if key is not None and window is not None:
                    plan.add(url, FIRST_PAGES if window[1] == 1 else LISTING_PAGES)
                    plan.windows[url] = (key, *window)
                else:
                    plan.add(url, LISTING_PAGES)
            elif before.link != after.link:  # a neighbour's previous/next link shows its title
                plan.add(url, NEIGHBOURS)
        for key in after.listings if _feed_shows_change(move) else ():
            feeds = listing_feeds(key)
            if feeds and _among_newest(key, after, FEED_ITEMS, shape, now):
                for url in feeds:
                    plan.add(url, FEEDS)
        if before.link != after.link and _among_newest(("home",), after, RECENT_POSTS, shape, now):
            plan.parts = True  # the sidebar's recent posts


def _among_newest(key: tuple, state: PostFootprint, count: int, shape: SiteShape, now) -> bool:
    """Whether the post is among the ``count`` newest of a listing (its feed's order: sticky posts not first)."""
    newer = listing_queryset(key, shape, now).exclude(pk=state.pk).filter(
        _comes_before(state.order_key(sticky_first=False), False)
    )
    return newer.values("pk")[:count].count() < count


def _changes_recent_posts(moves: dict[int, _Move], feed_positions: dict) -> bool:
    """Whether the sidebar's recent posts change: a post entered, left, moved or was renamed among them."""
    for pk, sides in feed_positions.items():
        if not any(position is not None and position < RECENT_POSTS for position in sides):
            continue
        move = moves[pk]
        if sides[0] != sides[1] or move.before.link != move.after.link:
            return True
    return False


def _plan_entry_urls(plan: Plan, kind: str, pk: int, before, after) -> None:
    """The entry's own page and comment feeds; removals and redirects when it moved or went away."""
    old_path = before.stored_path if before else None
    new_path = after.stored_path if after else None
    if new_path:
        plan.add(new_path, ENTRY)
    if old_path and old_path != new_path:
        plan.remove.add(old_path)
    old_pages = set(comment_page_urls(old_path, before.comment_pages)) if old_path else set()
    new_pages = set(comment_page_urls(new_path, after.comment_pages)) if new_path else set()
    for url in new_pages:
        plan.add(url, COMMENT_PAGES)
    plan.remove.update(old_pages - new_pages)
    old_feeds = _comment_feeds(before.stored_path) if before and before.listed else ()
    new_feeds = _comment_feeds(after.stored_path) if after and after.listed else ()
    if _feed_identity(before) != _feed_identity(after):
        for url in new_feeds:  # they show the entry's title, address and (when empty) date
            plan.add(url, FEEDS)
    plan.remove.update(set(old_feeds) - set(new_feeds))
    if before and after and before.live_path and after.live_path and before.live_path != after.live_path:
        plan.redirects.append((before.live_path, kind, pk))


def _feed_identity(state) -> tuple | None:
    return (state.listed, state.link, state.published_at) if state is not None else None


def comment_page_urls(path: str, pages: int) -> list[str]:
    """Return the URLs of an entry's comment pages after the first (WordPress's ``comment-page-N/``)."""
    from broadsheet.comments.threads import page_url

    return [page_url(path, number) for number in range(2, pages + 1)]


def _comment_feeds(path: str | None) -> tuple[str, ...]:
    if not path:
        return ()
    return (path + "feed/", path + "feed/atom/")


def _positions(key, moves: dict[int, _Move], changed_ids, shape, now, *, sticky_first: bool):
    """Return ``{pk: (position before, position after)}`` of the changed posts in listing ``key``, and the totals.

    Each position is the number of posts listed before it: unchanged posts
    (counted in the database) plus changed ones ahead of it on the same side.
    """
    members = {
        pk: tuple(
            state.order_key(sticky_first=sticky_first) if state is not None and key in state.listings else None
            for state in (move.before, move.after)
        )
        for pk, move in moves.items()
    }
    members = {pk: keys for pk, keys in members.items() if keys != (None, None)}
    aggregates = {"total": Count("id")}
    for pk, keys in members.items():
        for side, sort_key in enumerate(keys):
            if sort_key is not None:
                aggregates[f"p{pk}_{side}"] = Count("id", filter=_comes_before(sort_key, sticky_first))
    counts = listing_queryset(key, shape, now).exclude(pk__in=changed_ids).aggregate(**aggregates)
    positions = {}
    for pk, keys in members.items():
        sides = []
        for side, sort_key in enumerate(keys):
            if sort_key is None:
                sides.append(None)
                continue
            ahead = sum(1 for other, other_keys in members.items()
                        if other != pk and other_keys[side] is not None and other_keys[side] > sort_key)  # fmt: skip
            sides.append(counts[f"p{pk}_{side}"] + ahead)
        positions[pk] = tuple(sides)
    totals = tuple(
        counts["total"] + sum(1 for keys in members.values() if keys[side] is not None) for side in (0, 1)
    )
    return positions, totals


def _page_of(position: int, pp: int) -> int:
    return position // pp + 1


def _plan_listing_pages(plan: Plan, key, moves, positions, totals, pp: int) -> int:
    """Plan the listing's pages the moves touch; return its last page, before or after (whichever is further)."""
    pages_before = max(1, -(-totals[0] // pp))
    pages_after = max(1, -(-totals[1] // pp))
    last = max(pages_before, pages_after)
    affected: set[int] = set()
    tail_from = None
    for pk, (position_before, position_after) in positions.items():
        move = moves[pk]
        if position_before is not None and position_after is not None:
            if position_before == position_after:
                if move.before.appearance != move.after.appearance:
                    affected.add(_page_of(position_after, pp))
            else:
                low, high = sorted((position_before, position_after))
                affected.update(range(_page_of(low, pp), _page_of(high, pp) + 1))
        else:
            start = position_before if position_before is not None else position_after
            tail_from = _page_of(start, pp) if tail_from is None else min(tail_from, _page_of(start, pp))
    if tail_from is not None:
        # Everything from there to the end moved by one: the first two pages now, the rest
        # (to the last, which gains or loses its "older" link, or goes) deferred.
        affected.update(range(tail_from, min(tail_from + 1, last) + 1))
        for number in range(tail_from + 2, last + 1):
            plan.defer(listing_page_url(key, number), LISTING_PAGES)
    if totals[0] != totals[1]:
        # A last page before the moved part (the listing got shorter) loses its "older" link.
        affected.update(number for number in (pages_before, pages_after) if tail_from is None or number < tail_from)
    for number in sorted(affected):
        plan.add(listing_page_url(key, number), FIRST_PAGES if number == 1 else LISTING_PAGES)
    return last


def _plan_stored_pages_past(plan: Plan, key, last: int, store) -> None:
    """Pages of listing ``key`` the store holds past page ``last``: deferred (removed at once, rendered after).

    ``last`` is counted in the database when the change is planned, and another
    process's change committed meanwhile counts in it already. When both took a
    post out of the listing, each finds the listing one post shorter before its
    own change than it was, and neither counts the last page the two together
    ended: the store still holds it, so it is found here.
    """
    for number in store.listing_page_numbers(listing_base(key)):
        if number > last:
            plan.defer(listing_page_url(key, number), LISTING_PAGES)


def _plan_feeds(plan: Plan, key, moves, positions) -> None:
    for pk, sides in positions.items():
        move = moves[pk]
        visible = [position for position in sides if position is not None and position < FEED_ITEMS]
        if not visible:
            continue
        if sides[0] is None or sides[1] is None or sides[0] != sides[1] or _feed_shows_change(move):
            for url in listing_feeds(key):
                plan.add(url, FEEDS)
            return


def _feed_shows_change(move: _Move) -> bool:
    """Whether a feed listing the post shows the change (feeds show no comment count: a new comment is not one)."""
    return move.before.feed_appearance != move.after.feed_appearance


def _plan_neighbours(plan: Plan, moves: dict[int, _Move], now) -> None:
    """Posts whose previous/next link shows a changed post (ties in time included)."""
    changed_ids = list(moves)
    listed = Post.objects.listed(now).exclude(pk__in=changed_ids)
    times = set()
    for move in moves.values():
        before, after = move.before, move.after
        was = before.listed if before else False
        now_listed = after.listed if after else False
        moved = (before and before.published_at) != (after and after.published_at)
        if not (was or now_listed) or (was == now_listed and not moved and before.link == after.link):
            continue
        for state in (before, after):
            if state is not None and state.listed:
                times.add(state.published_at)
    for moment in times:
        earlier = listed.filter(published_at__lt=moment).order_by("-published_at").values_list("published_at", flat=True)
        later = listed.filter(published_at__gt=moment).order_by("published_at").values_list("published_at", flat=True)
        for neighbour_time in (earlier.first(), later.first()):
            if neighbour_time is None:
                continue
            for post in listed.filter(published_at=neighbour_time).for_listing():
                plan.add(post.get_absolute_url(), NEIGHBOURS)


# -- pages -----------------------------------------------------------------------------------------


def _plan_page(plan: Plan, before: PageFootprint | None, after: PageFootprint | None) -> None:
    _plan_entry_urls(plan, "page", (after or before).pk, before, after)
    if (before and before.sitemap) != (after and after.sitemap):
        plan.defer(SITEMAP)
    if (before and before.menu) != (after and after.menu):
        plan.parts = True


# -- comments --------------------------------------------------------------------------------------


def _plan_comments(plan: Plan, comments: dict, changes: dict, now) -> None:
    """A comment shows in its entry's comment feeds and, when among the newest, the site's.

    (Its entry's pages and listings follow from the entry's own footprint, which
    counts its comments: the receivers note the entry as changed too.)
    """
    changed_ids = list(comments)
    for before, after in comments.values():
        for state in (before, after):
            if state is None or not state.approved:  # a held comment shows nowhere
                continue
            entry = _entry_state(state.entry, changes)
            if entry is not None and entry.listed:
                for url in _comment_feeds(entry.stored_path):
                    plan.add(url, FEEDS)
        for state in (before, after):
            if state is not None and state.approved and _ranks_in_site_comment_feed(state.created_at, state.pk,
                                                                                     changed_ids, now):  # fmt: skip
                for url in COMMENT_FEEDS:
                    plan.add(url, FEEDS)


def _entry_state(entry_key: tuple, changes: dict):
    """The entry's current footprint: from this change set when it changed too, else the database."""
    from broadsheet.publishing.footprints import page_footprint, post_footprint

    kind, pk = entry_key
    if (kind, pk) in changes:
        return changes[(kind, pk)][1]
    shape = SiteShape.load()
    return post_footprint(pk, shape) if kind == "post" else page_footprint(pk, shape)


def _ranks_in_site_comment_feed(created_at, pk, excluded_ids, now) -> bool:
    newer = (
        Comment.objects.public()
        .exclude(pk__in=excluded_ids)
        .filter(Q(created_at__gt=created_at) | Q(created_at=created_at, pk__gt=pk))
    )
    return newer[:FEED_ITEMS].count() < FEED_ITEMS


def _plan_entry_comment_feeds_ranking(plan: Plan, posts: dict, pages: dict, now) -> None:
    """An entry whose title, address or visibility changed shows in the site's comment feeds through its comments."""
    entries = [("post", pk, move.before, move.after) for pk, move in posts.items()]
    entries += [("page", (after or before).pk, before, after) for before, after in pages.values()]
    for kind, pk, before, after in entries:
        if _shown_in_comment_feeds(before) == _shown_in_comment_feeds(after):
            continue
        newest = (
            Comment.objects.approved()
            .filter(**{kind: pk})
            .order_by("-created_at", "-pk")
            .values_list("created_at", "pk")
            .first()
        )
        if newest is None:
            continue
        newer = (
            Comment.objects.public()
            .exclude(**{kind: pk})
            .filter(Q(created_at__gt=newest[0]) | Q(created_at=newest[0], pk__gt=newest[1]))
        )
        if newer[:FEED_ITEMS].count() < FEED_ITEMS:
            for url in COMMENT_FEEDS:
                plan.add(url, FEEDS)


def _shown_in_comment_feeds(state) -> tuple | None:
    if state is None:
        return None
    return state.listed, state.stored_path, getattr(state, "feed_appearance", state.appearance)
