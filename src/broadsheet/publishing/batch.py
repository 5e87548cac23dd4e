"""Rendering the whole site fast: the same views, fed from data loaded once.

A full build renders tens of thousands of URLs. Through Django's request
cycle each one repeats the same queries (find the post, count the listing,
fetch its page of posts, their comment counts, the previous and next post),
so ``render.render_url`` would take minutes on a 10,000-post site. This
module renders the three kinds that are nearly all of the URLs with the
*same view classes and functions*, changing only where their data comes from:

* listings (home, date, category, tag and author archives): the archives'
  own view classes, their ``get_queryset``/``get_dated_queryset``/``get_term``
  answered from lists built once from ``Post.objects.listed().for_summaries()``
  (pagination, titles, links and templates are the views' own code), and the
  comment counts attached once for all posts;
* posts: ``content.views.render_entry`` with posts loaded in bulk (categories
  and tags prefetched) and the previous/next posts looked up in memory;
* posts' comment feeds: ``EntryCommentsFeed`` with the post loaded in bulk.

A post's summary (``archives/_post_summary.html``) is rendered once per
build and reused on every listing that shows it, when the template reads
nothing but ``post``, ``site`` and globals (checked from its source, so a
theme that shows more there is rendered each time, as it must).

Everything else (pages, listing feeds, the sitemap...) goes through
``render_url``. The response headers of each kind are taken from one page of
that kind rendered through the whole middleware stack. Tests render every URL
of a site both ways and compare the bytes; ``broadsheet build --check`` and the
property test compare builds with the incrementally rendered store.
"""

from __future__ import annotations

import contextlib
import contextvars
import copy
import datetime
import re
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

import jinja2.meta
from django.contrib.auth.models import AnonymousUser
from django.db.models import prefetch_related_objects
from django.http import Http404
from django.template import engines
from django.utils import timezone
from django.utils.feedgenerator import rfc2822_date, rfc3339_date
from markupsafe import Markup

from broadsheet.archives import views as archive_views
from broadsheet.comments import threads
from broadsheet.content import prepared as prepared_queries
from broadsheet.content import views as content_views
from broadsheet.content.models import Author, Category, Post, PostAuthor, SiteSettings, Tag
from broadsheet.feeds import feeds as feed_classes
from broadsheet.feeds import sitemaps as sitemap_classes
from broadsheet.feeds.feeds import EMPTY_FEED_DATE, FEED_ITEMS, EntryCommentsFeed
from broadsheet.publishing.catalogue import ROBOTS
from broadsheet.publishing.dependencies import term_listing_key
from broadsheet.publishing.footprints import SiteShape
from broadsheet.publishing.render import anonymous_request, render_url, to_rendered
from broadsheet.publishing.store import Rendered
from broadsheet.theme.parts import parts_as_includes, parts_inlined

SUMMARY_TEMPLATE = "archives/_post_summary.html"
POSTS_PER_QUERY = 500

# Set while a batch renders in this context: the wrapped functions below use its data.
_active: contextvars.ContextVar[BatchRenderer | None] = contextvars.ContextVar("broadsheet_batch", default=None)


# -- data-access hooks: the views' own functions, answered from memory during a batch ----------------


def _install_hooks() -> None:
    """Wrap the few data lookups the views make so that, inside a batch only, they read preloaded data.

    Outside a batch (every normal request, in every thread) the wrappers call
    the original functions unchanged.
    """
    if getattr(threads.attach_comment_counts, "_batch_hook", False):
        return
    original_counts = threads.attach_comment_counts
    original_neighbours = content_views._neighbours
    original_shape = getattr(threads, "_shape", None)

    def attach_comment_counts(posts, site):
        batch = _active.get()
        if batch is None:
            return original_counts(posts, site)
        for post in posts:  # attached once for every listed post when the batch loaded them
            if not hasattr(post, "comment_count"):
                return original_counts(posts, site)
        return None

    def neighbours(post):
        batch = _active.get()
        if batch is None:
            return original_neighbours(post)
        return batch.neighbours(post)

    def shape(entry, **kwargs):
        # An entry the batch knows has no approved comment: the empty thread, without a query.
        batch = _active.get()
        if batch is not None and getattr(entry, "comment_count", None) == 0 and isinstance(entry, Post):
            return threads._Shape([], {}, {})
        return original_shape(entry, **kwargs)

    from django.template import response as template_response

    original_select = template_response.select_template

    def select_template(template_name_list, using=None):
        # Views try a template per slug first ("content/post-<slug>.html"); a batch knows
        # which templates exist, so the misses cost no search of every template folder.
        batch = _active.get()
        if batch is None or isinstance(template_name_list, str):
            return original_select(template_name_list, using=using)
        known = batch.template_names()
        kept = [name for name in template_name_list if name in known]
        return original_select(kept or template_name_list, using=using)

    original_entry_templates = content_views._entry_templates

    def entry_templates(specific, general):
        # A post's own template ("content/post-<slug>.html") is looked for in every template folder
        # of both engines, once per slug: a batch knows it is not there without looking.
        batch = _active.get()
        if batch is not None and specific not in batch.template_names():
            return [general]
        return original_entry_templates(specific, general)

    template_response.select_template = select_template  # what TemplateResponse calls
    content_views._entry_templates = entry_templates
    attach_comment_counts._batch_hook = True
    threads.attach_comment_counts = attach_comment_counts
    content_views._neighbours = neighbours
    if original_shape is not None and hasattr(threads, "_Shape"):
        threads._shape = shape


def _remember_template_globals() -> None:
    """Within a batch, the templates' ``static()`` and ``url()`` are computed once per argument.

    (Every page asks for the same few; outside a batch they are called as they are.)
    """
    globals_ = engines["jinja2"].env.globals

    def once(name, function):
        def remembered(*args, **kwargs):
            batch = _active.get()
            if batch is None:
                return function(*args, **kwargs)
            key = (name, args, tuple(sorted(kwargs.items())))
            memo = batch._global_values
            if key not in memo:
                memo[key] = function(*args, **kwargs)
            return memo[key]

        remembered._batch_hook = True
        return remembered

    for name in ("static", "url"):
        function = globals_.get(name)
        if function is not None and not getattr(function, "_batch_hook", False):
            globals_[name] = once(name, function)


def _fix_urls(posts, urls: dict) -> None:
    """Give preloaded objects their URL once: each is asked for it on every page that links to it.

    (The methods would compute the same string each time: permalinks from the
    site's structure, term and author URLs through ``reverse()``.)
    """
    for post in posts:
        _fix_url(post, urls)
        for authorship in getattr(post, "ordered_authorships", None) or ():
            _fix_url(authorship.author, urls)
        cache = getattr(post, "_prefetched_objects_cache", {})
        for name in ("categories", "tags"):
            for term in cache.get(name, ()):
                _fix_url(term, urls)


def _fix_url(instance, urls: dict) -> None:
    key = (type(instance).__name__, instance.pk)
    if key not in urls:
        urls[key] = instance.get_absolute_url()
    url = urls[key]
    instance.get_absolute_url = lambda: url


# -- the renderer -----------------------------------------------------------------------------------


class BatchRenderer:
    """Renders catalogue jobs (see catalogue.py) from data loaded once per process."""

    def __init__(self, now=None):
        _install_hooks()
        _remember_template_globals()
        self.site = SiteSettings.current()
        self.shape = SiteShape.load()
        self.now = now or timezone.now()  # (a build passes the moment its catalogue was collected at)
        self._listings: dict[tuple, list[Post]] | None = None
        self._terms: dict[tuple, object] | None = None
        self._counts: dict[int, int] | None = None
        self._order: list[tuple] | None = None  # (published_at, pk) of listed posts, oldest first
        self._by_time: dict | None = None
        self._summaries: dict[int, Markup] = {}
        self._global_values: dict[tuple, str] = {}
        self._urls: dict[tuple, str] = {}
        self._feed_items: dict[tuple, list[Post]] | None = None
        self._feed_item_values: dict[tuple, object] = {}
        self._posts: list[Post] = []
        self._listed_by_pk: dict[int, Post] | None = None
        self._added_headers: tuple | None = None
        self._template_names: frozenset[str] | None = None
        self._empty_feeds: dict[bool, _EmptyFeedShape | None] = {}
        self._memo_summaries = self._summary_is_post_only()
        # The site-wide parts to show in pages ({name: HTML}: a static build), or None: include markers.
        self.parts: dict[str, str] | None = None

    # -- what the views read -----------------------------------------------------------------------

    def _load_listings(self) -> None:
        from broadsheet.comments.moderation import closing_reason

        # A listing shows a post's whole text only when it has no fold: the rest load without it (the
        # largest column; every worker would hold its own copy of it once it touches the objects). The
        # bylines are attached from one query over all authorships (a prefetch would send every post's
        # id as a parameter).
        posts = list(Post.objects.listed(self.now).for_summaries().prefetch_related(None).defer("rendered_html"))
        if "%category%" in self.shape.permalink_structure:
            prefetch_related_objects(posts, "categories")
        by_pk = self._listed_by_pk = {post.pk: post for post in posts}
        unfolded = [post.pk for post in posts if not post.has_fold]
        for start in range(0, len(unfolded), POSTS_PER_QUERY):
            chunk = unfolded[start : start + POSTS_PER_QUERY]
            for pk, text in Post.objects.filter(pk__in=chunk).values_list("pk", "rendered_html"):
                by_pk[pk].rendered_html = text
        for post in posts:
            post.ordered_authorships = []
        post_field, author_field = PostAuthor._meta.get_field("post"), PostAuthor._meta.get_field("author")
        authors = Author.objects.in_bulk()  # a handful, shared by all their posts
        for authorship in PostAuthor.objects.order_by("position"):
            post = by_pk.get(authorship.post_id)
            if post is not None:
                post_field.set_cached_value(authorship, post)
                author_field.set_cached_value(authorship, authors[authorship.author_id])
                post.ordered_authorships.append(authorship)
        counts = self._approved_counts()
        for post in posts:
            post.comment_count = counts.get(post.pk, 0)
            post.comments_open = closing_reason(post, self.site) is None
        _fix_urls(posts, self._urls)
        self._posts = posts
        listings: dict[tuple, list[Post]] = defaultdict(list)
        listings[("home",)] = sorted(posts, key=lambda post: (post.sticky, post.published_at, post.pk), reverse=True)
        for post in posts:  # newest first (the model's ordering)
            local = timezone.localtime(post.published_at, self.shape.tzinfo)
            listings[("year", local.year)].append(post)
            listings[("month", local.year, local.month)].append(post)
            listings[("day", local.year, local.month, local.day)].append(post)
        # Each post's term listings, then the listings filled in the posts' order (newest first).
        member_of: dict[int, set[tuple]] = defaultdict(set)
        for post_id, category_id in Post.categories.through.objects.values_list("post_id", "category_id"):
            if post_id in by_pk:
                for ancestor in self.shape.listing_categories([category_id]):
                    member_of[post_id].add(("category", "/category/" + self.shape.category_paths[ancestor] + "/"))
        for post_id, slug in Post.tags.through.objects.values_list("post_id", "tag__slug"):
            if post_id in by_pk:
                member_of[post_id].add(("tag", f"/tag/{slug}/"))
        for authorship in (post.ordered_authorships for post in posts):
            for link in authorship:
                member_of[link.post_id].add(("author", f"/author/{link.author.slug}/"))
        for post in posts:
            for key in member_of.get(post.pk, ()):
                listings[key].append(post)
        self._listings = dict(listings)
        self._order = sorted((post.published_at, post.pk) for post in posts)
        self._by_time = defaultdict(list)
        for post in posts:
            self._by_time[post.published_at].append(post)

    def _approved_counts(self) -> dict[int, int]:
        """Every post's approved comments: one query per batch."""
        if self._counts is None:
            from broadsheet.comments.models import Comment

            self._counts = Comment.objects.approved_counts()
        return self._counts

    def know_urls(self, posts: dict[int, str]) -> None:
        """Take the permalinks of posts ``{pk: path}`` as already worked out (by the catalogue, a moment ago)."""
        for pk, path in posts.items():
            self._urls.setdefault(("Post", pk), path)

    def listing(self, key: tuple) -> list[Post]:
        if self._listings is None:
            self._load_listings()
        return self._listings.get(key, [])

    def term(self, key: tuple):
        """The category, tag or author a term listing (or its feed) shows; every one loaded at the first ask."""
        if self._terms is None:
            self._load_terms()
        term = self._terms.get(key)
        if term is None:
            raise Http404("No such term.")
        return term

    def _load_terms(self) -> None:
        # Three queries for all of them (a few hundred at most), not one per listing: the parent loads
        # them before forking, and each worker asked for each of its listings' terms in turn.
        self._terms = {
            term_listing_key(kind, term): term
            for kind, model in (("category", Category), ("tag", Tag), ("author", Author))
            for term in model.objects.all()
        }

    def neighbours(self, post: Post) -> dict:
        """The previous and next listed posts, as ``content.views._neighbours`` finds them."""
        if self._order is None:
            self._load_listings()
        import bisect

        moment = post.published_at
        low = bisect.bisect_left(self._order, (moment,))
        high = bisect.bisect_right(self._order, (moment, float("inf")))
        previous = following = None
        if low > 0:
            earlier_time = self._order[low - 1][0]
            previous = max(self._by_time[earlier_time], key=lambda other: other.pk)
        if high < len(self._order):
            later_time = self._order[high][0]
            following = min(self._by_time[later_time], key=lambda other: other.pk)
        return {"previous_post": previous, "next_post": following}

    # -- summaries rendered once ---------------------------------------------------------------------

    def _summary_is_post_only(self) -> bool:
        environment = engines["jinja2"].env
        try:
            source, _name, _uptodate = environment.loader.get_source(environment, SUMMARY_TEMPLATE)
        except jinja2.TemplateNotFound:
            return False
        names = jinja2.meta.find_undeclared_variables(environment.parse(source))
        return names <= {"post", "site"} | set(environment.globals)

    @contextlib.contextmanager
    def _summaries_once(self):
        if not self._memo_summaries:
            yield
            return
        template = engines["jinja2"].env.get_template(SUMMARY_TEMPLATE)
        original, original_context = template.root_render_func, template.new_context
        memo = self._summaries

        def new_context(vars=None, shared=False, locals=None):
            # ``{% include %}`` builds the included template's context first: a summary already
            # rendered needs none (building it was a tenth of a listing page's time).
            key = getattr((locals or {}).get("post"), "pk", None)
            if key is not None and key in memo and _active.get() is self:
                return _Rendered(key)
            return original_context(vars, shared, locals)

        def render_once(context):
            if isinstance(context, _Rendered):
                yield memo[context.key]
                return
            post = context.get("post")
            key = getattr(post, "pk", None)
            if key is None or _active.get() is not self:
                yield from original(context)
                return
            if key not in memo:
                memo[key] = "".join(original(context))
            yield memo[key]

        template.root_render_func, template.new_context = render_once, new_context
        try:
            yield
        finally:
            template.root_render_func = original
            del template.new_context  # the class's method again

    # -- rendering ------------------------------------------------------------------------------------

    @contextlib.contextmanager
    def active(self):
        """Within the block, the views read this batch's data (in this context only)."""
        token = _active.set(self)
        site_token = SiteSettings.use(self.site)
        try:
            parts = parts_as_includes() if self.parts is None else parts_inlined(self.parts)
            with parts, self._summaries_once(), timezone.override(self.site.tzinfo):
                yield
        finally:
            SiteSettings.reset_current(site_token)
            _active.reset(token)

    def render_many(self, jobs: list[tuple[str, tuple]]) -> list[Rendered]:
        """Render ``(url, job)`` pairs; jobs this module does not know go through ``render_url``."""
        posts = self._load_entries([job[1] for _url, job in jobs if job[0] == "post"], lean=False)
        feeds = self._entries_for_feeds([job[1] for _url, job in jobs if job[0] == "entry_feed"])
        results = []
        with self.active():
            for url, job in jobs:
                kind = job[0]
                if kind == "listing":
                    results.append(self._render_listing(url, job[1], job[2]))
                elif kind == "post" and job[1] in posts:
                    results.append(self._render_post(url, posts[job[1]]))
                elif kind == "entry_feed" and job[1] in feeds:
                    results.append(self._render_entry_feed(url, feeds[job[1]], atom=job[2]))
                elif kind == "listing_feed":
                    results.append(self._render_listing_feed(url, job[1], atom=job[2]))
                elif kind == "sitemap":
                    results.append(self._render_sitemap(url))
                else:
                    results.append(self._through_django(url))
        return results

    def warm_up(self, jobs: list[tuple[str, tuple]]) -> None:
        """Load the listings and compile the templates of each kind of job (before forking workers)."""
        if any(job[0] in ("listing", "listing_feed", "sitemap") for _url, job in jobs):
            self.listing(("home",))
            self._load_terms()
        self.template_names()
        self._middleware_headers()
        first_of_kind = {}
        for url, job in jobs:
            first_of_kind.setdefault(job[0], (url, job))
        first_of_kind.pop("sitemap", None)
        first_of_kind.pop("view", None)
        self.render_many(list(first_of_kind.values()))
        self._summaries.clear()  # rendered again by whichever worker needs them: memory stays per worker

    def _through_django(self, url: str) -> Rendered:
        """Render ``url`` through the whole request cycle, outside this batch."""
        token = _active.set(None)
        try:
            return render_url(url)
        finally:
            _active.reset(token)

    def _entries_for_feeds(self, pks: list[int]) -> dict[int, Post]:
        """The posts of comment feeds: listed ones as the listings loaded them, the others loaded ``lean``."""
        known = self._listed_by_pk or {}
        entries = {pk: known[pk] for pk in pks if pk in known}
        entries.update(self._load_entries([pk for pk in pks if pk not in entries], lean=True))
        return entries

    def _load_entries(self, pks: list[int], *, lean: bool) -> dict[int, Post]:
        """Load posts in bulk: whole, for their pages, or ``lean`` (what their comment feeds show).

        Only live posts (``Post.objects.live``), by primary key; the live test is
        made here, not in SQL, where it made SQLite scan every live post through
        the (status, date) index for each chunk instead of looking up the ids.
        """
        entries = {}
        pks = list(dict.fromkeys(pks))
        structure = self.shape.permalink_structure
        counts = self._approved_counts()
        for start in range(0, len(pks), POSTS_PER_QUERY):
            chunk = pks[start : start + POSTS_PER_QUERY]
            if not lean:
                listed = self._whole_from_listed(chunk)
                rest = [pk for pk in chunk if pk not in listed]
                loaded = Post.objects.filter(pk__in=rest).order_by().select_related("featured_image") if rest else ()
                posts = [*listed.values(), *loaded]
            else:
                posts = sitemap_classes.with_permalink_relations(
                    Post.objects.filter(pk__in=chunk).order_by().only(
                        "id", "title", "slug", "published_at", "status", "password"
                    ),
                    structure,
                )
            posts = [post for post in posts if post.is_live_at(self.now)]
            if not lean:
                self._attach_relations(posts)
            for post in posts:
                post.comment_count = counts.get(post.pk, 0)
                entries[post.pk] = post
        _fix_urls(entries.values(), self._urls)
        return entries

    def _whole_from_listed(self, pks: list[int]) -> dict[int, Post]:
        """Whole posts made from the listings' objects: only the columns those deferred are read (one query).

        (Reading every column again and building each object took a quarter of
        a post page's time.) Each is a copy: the listings' objects stay as they were.
        """
        listed = self._listed_by_pk or {}
        known = [pk for pk in pks if pk in listed]
        if not known:
            return {}
        deferred = sorted(set().union(*(listed[pk].get_deferred_fields() for pk in known)))
        if deferred:
            rows = Post.objects.filter(pk__in=known).order_by().values_list("pk", *deferred)
        else:
            rows = [(pk,) for pk in known]
        whole = {}
        for pk, *values in rows:
            source = listed[pk]
            post = Post.__new__(Post)
            post.__dict__.update(source.__dict__)
            post._state = copy.copy(source._state)
            post._state.fields_cache = dict(source._state.fields_cache)
            if "_prefetched_objects_cache" in source.__dict__:
                post._prefetched_objects_cache = dict(source._prefetched_objects_cache)
            post.__dict__.update(zip(deferred, values))
            whole[pk] = post
        return whole

    def _attach_relations(self, posts: list[Post]) -> None:
        """Give whole posts their bylines, categories and tags, as ``for_listing().prefetch_related("tags")`` would.

        Bylines come from the listings already loaded (``content.prepared`` reads
        those of posts not listed), categories and tags from ``content.prepared``'s
        one query for both. (Django's prefetch built a manager and a queryset per
        post and relation: most of what loading posts in bulk cost.)
        """
        listed = self._listed_by_pk or {}
        unlisted = []
        for post in posts:
            known = listed.get(post.pk)
            if known is not None:
                post.ordered_authorships = known.ordered_authorships
            else:
                unlisted.append(post)
        prepared_queries.attach_bylines(unlisted)
        prepared_queries.attach_terms(posts)

    def _request(self, url: str):
        request = anonymous_request(url)
        request.site = self.site
        request.user = AnonymousUser()
        return request

    def _finish(self, url: str, response) -> Rendered:
        """The view's response as the whole middleware stack would have finished it."""
        if hasattr(response, "render"):
            response.render()
        rendered = to_rendered(url, response)
        own = {name.lower() for name, _value in rendered.headers}
        # The middleware adds the same headers to every response, after the view's own, and
        # keeps a header the view set (SecurityMiddleware's setdefault).
        added = tuple(header for header in self._middleware_headers() if header[0].lower() not in own)
        return Rendered(url, rendered.status, rendered.body, rendered.content_type, rendered.headers + added,
                        rendered.location, rendered.parts, rendered.reason, rendered.listing,
                        rendered.neighbours)  # fmt: skip

    def _middleware_headers(self) -> tuple:
        """The headers Django's middleware adds to a response, taken from a page rendered in full.

        That page is ``robots.txt``: the cheapest one (the home page of a large
        site first builds its sidebar, ~0.4 s at 10,000 posts, in each worker that
        renders only comment feeds). The home page if robots.txt does not answer.
        """
        if self._added_headers is None:
            token = _active.set(None)
            try:
                robots = render_url(ROBOTS)
                self._added_headers = (robots if robots.status == 200 else render_url("/")).headers
            finally:
                _active.reset(token)
        return self._added_headers

    def _render_listing(self, url: str, key: tuple, number: int) -> Rendered:
        view_class = _listing_view(key[0])
        kwargs = _listing_kwargs(key, number)
        request = self._request(url)
        try:
            response = view_class.as_view(batch_key=key)(request, **kwargs)
        except Http404:
            return Rendered(url, 404, reason="no such page")
        return self._finish(url, response)

    def template_names(self) -> frozenset[str]:
        """Every template name any engine can load (listed once per batch)."""
        if self._template_names is None:
            from django.template.utils import get_app_template_dirs

            names = set()
            for engine in engines.all():
                if hasattr(engine, "env"):
                    names.update(engine.env.list_templates())
                else:
                    folders = [*engine.engine.dirs, *get_app_template_dirs("templates")]
                    for folder in map(Path, folders):
                        if folder.is_dir():
                            names.update(str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file())
            self._template_names = frozenset(names)
        return self._template_names

    def listing_newest(self) -> list[Post]:
        self.listing(("home",))
        return self._posts

    def feed_items(self, key: tuple) -> list[Post]:
        """The newest posts of a listing, whole (feeds carry the full text), as its feed selects them."""
        if self._feed_items is None:
            self._load_feed_items()
        return self._feed_items.get(key, [])

    def _load_feed_items(self) -> None:
        newest = {key: [post.pk for post in self._newest(key)[:FEED_ITEMS]] for key in self._feed_keys()}
        wanted = {pk for pks in newest.values() for pk in pks}
        whole = {post.pk: post for post in Post.objects.filter(pk__in=wanted).for_listing()}
        _fix_urls(whole.values(), self._urls)
        self._feed_items = {key: [whole[pk] for pk in pks] for key, pks in newest.items()}

    def _feed_keys(self) -> list[tuple]:
        self.listing(("home",))
        return [key for key in self._listings if key[0] in ("home", "category", "tag", "author")]

    def _newest(self, key: tuple) -> list[Post]:
        """A listing newest first without sticky posts first (the feeds' order)."""
        return self._posts if key == ("home",) else self.listing(key)

    def _render_listing_feed(self, url: str, key: tuple, *, atom: bool) -> Rendered:
        feed_class = _batch_feed(key[0])
        feed = (feed_class.as_atom() if atom else feed_class)(batch_key=key)
        request = self._request(url)
        kwargs = {}
        if key[0] == "category":
            kwargs["path"] = key[1][len("/category/") : -1]
        elif key[0] in ("tag", "author"):
            kwargs["slug"] = key[1].split("/")[2]
        try:
            return self._finish(url, feed(request, **kwargs))
        except Http404:
            return Rendered(url, 404, reason="no such feed")

    def _render_sitemap(self, url: str) -> Rendered:
        sections = dict(sitemap_classes.SITEMAPS)
        sections["posts"] = _BatchPostSitemap
        request = self._request(url)
        return self._finish(url, sitemap_classes.sitemap(request, sitemaps=sections))

    def _render_post(self, url: str, post: Post) -> Rendered:
        if post.password or post.get_absolute_url() != url:
            return self._through_django(url)
        request = self._request(url)
        try:
            response = content_views.render_entry(request, post)
        except Http404:
            return Rendered(url, 404, reason="no such page")
        return self._finish(url, response)

    def _render_entry_feed(self, url: str, post: Post, *, atom: bool) -> Rendered:
        if not post.is_listed or post.get_absolute_url() + ("feed/atom/" if atom else "feed/") != url:
            return self._through_django(url)
        if post.comment_count == 0:
            empty = self._empty_feed(url, post, atom=atom)
            if empty is not None:
                return empty
        return self._entry_feed_view(url, post, atom=atom)

    def _entry_feed_view(self, url: str, post: Post, *, atom: bool) -> Rendered:
        feed = _EntryCommentsFeed.as_atom() if atom else _EntryCommentsFeed()
        return self._finish(url, feed(self._request(url), entry=post))

    def _empty_feed(self, url: str, post: Post, *, atom: bool) -> Rendered | None:
        """A post's comment feed with no comment, from one rendering shared by all such feeds (None: not here)."""
        if atom not in self._empty_feeds:
            self._empty_feeds[atom] = _EmptyFeedShape.render(self, post, atom=atom)
        shape = self._empty_feeds[atom]
        if shape is None:
            return None
        filled = shape.fill(url, post)
        if filled is not None and not shape.checked:  # once, against the view on a real post: a difference turns it off
            reference = self._entry_feed_view(url, post, atom=atom)
            shape.checked = True
            if filled != reference:
                self._empty_feeds[atom] = None
            return reference
        return filled


class _Rendered:
    """The stand-in context of a summary already rendered (``_summaries_once``): its post's key."""

    __slots__ = ("key",)

    def __init__(self, key):
        self.key = key


class _EmptyFeedShape:
    """The bytes every comment-less post's comment feed shares, with slots for what differs between posts.

    Such a feed shows its post's title (in ``<title>``), its address (the
    link, the feed's own address, Atom's id) and its date. ``render`` has the
    view render one for a stand-in post whose title, path and date are
    markers; ``fill`` puts a real post's values in their place, escaped as the
    XML writer escapes them. Posts whose path holds anything an URL or XML
    would escape, or whose title has control characters, are left to the view.
    """

    TITLE = "BroadsheetEmptyFeedTitle7Qz"
    PATH = "/broadsheet-empty-feed-path-7qz/"
    MOMENT = datetime.datetime(2001, 2, 3, 4, 5, 6, tzinfo=datetime.timezone.utc)
    PLAIN_PATH = re.compile(r"/[A-Za-z0-9/_.~-]*\Z")
    CONTROL = re.compile(r"[\x00-\x08\x0B-\x0C\x0E-\x1F]")

    def __init__(self, pieces: list[str], rendered: Rendered, atom: bool):
        self.pieces, self.rendered, self.atom = pieces, rendered, atom
        self.checked = False

    @classmethod
    def render(cls, batch: BatchRenderer, post: Post, *, atom: bool) -> _EmptyFeedShape | None:
        stand_in = copy.copy(post)
        stand_in.title, stand_in.published_at, stand_in.comment_count = cls.TITLE, cls.MOMENT, 0
        stand_in.get_absolute_url = lambda: cls.PATH
        url = cls.PATH + ("feed/atom/" if atom else "feed/")
        rendered = batch._entry_feed_view(url, stand_in, atom=atom)
        if not rendered.storable or rendered.parts or rendered.listing is not None or rendered.neighbours:
            return None
        text = rendered.body.decode()
        markers = [cls.TITLE, cls.PATH, cls._date(cls.MOMENT, atom)]
        pieces = re.split("(" + "|".join(map(re.escape, markers)) + ")", text)
        return cls(pieces, rendered, atom)

    @staticmethod
    def _date(moment, atom: bool) -> str:
        return rfc3339_date(moment) if atom else rfc2822_date(moment)

    def fill(self, url: str, post: Post) -> Rendered | None:
        path = post.get_absolute_url()
        title = f"{post.title}"
        if not self.PLAIN_PATH.match(path) or self.CONTROL.search(title):
            return None
        values = {
            self.TITLE: xml_escape(title),
            self.PATH: path,
            self._date(self.MOMENT, self.atom): self._date(post.published_at or EMPTY_FEED_DATE, self.atom),
        }
        pieces = self.pieces
        try:
            body = "".join(values[piece] if index % 2 else piece for index, piece in enumerate(pieces)).encode()
        except UnicodeEncodeError:
            return None
        shape = self.rendered
        return Rendered(url, shape.status, body, shape.content_type, shape.headers, shape.location, shape.parts,
                        shape.reason, shape.listing, shape.neighbours)  # fmt: skip


class _EntryCommentsFeed(EntryCommentsFeed):
    """The post's comment feed; a post the batch knows has no approved comment needs no query."""

    def items(self, obj):
        if getattr(obj, "comment_count", None) == 0:
            return []
        return super().items(obj)


class _FeedFromBatch:
    """A listing's feed with its term and newest posts from the active batch."""

    batch_key: tuple = ()

    def __init__(self, batch_key: tuple = ()):
        super().__init__()
        self.batch_key = batch_key

    def get_object(self, request, *args, **kwargs):
        return None if self.batch_key == ("home",) else _active.get().term(self.batch_key)

    def items(self, obj=None):
        return _active.get().feed_items(self.batch_key)

    def _get_dynamic_attr(self, attname, obj, default=None):
        # A post's values in a feed (title, link, summary, byline, categories...) are the same in every feed
        # that lists it (the home page's, its categories', tags' and authors', RSS and Atom): worked out once.
        function = getattr(type(self), attname, None) if attname.startswith("item_") else None
        if function is None or not isinstance(obj, Post):
            return super()._get_dynamic_attr(attname, obj, default)
        memo = _active.get()._feed_item_values
        key = (attname, obj.pk, function)
        if key not in memo:
            memo[key] = super()._get_dynamic_attr(attname, obj, default)
        return memo[key]

    @classmethod
    def as_atom(cls):
        from broadsheet.feeds.generators import FullTextAtomFeed

        return type(f"{cls.__name__}Atom", (cls,), {"feed_type": FullTextAtomFeed})


_FEEDS = {
    "home": feed_classes.PostsFeed,
    "category": feed_classes.CategoryFeed,
    "tag": feed_classes.TagFeed,
    "author": feed_classes.AuthorFeed,
}
_batch_feeds: dict[str, type] = {}


def _batch_feed(kind: str) -> type:
    if kind not in _batch_feeds:
        base = _FEEDS[kind]
        _batch_feeds[kind] = type(f"Batch{base.__name__}", (_FeedFromBatch, base), {})
    return _batch_feeds[kind]


class _BatchPostSitemap(sitemap_classes.PostSitemap):
    """The sitemap's posts: the batch's listed posts, newest first, as ``PostSitemap.items`` orders them."""

    def items(self):
        return _active.get().listing_newest()


# -- the archives' views, with their data from the batch ----------------------------------------------


class _FromBatch:
    """Answer a listing view's data lookups from the active batch (``batch_key`` names the listing)."""

    batch_key: tuple = ()
    model = Post  # what the date views ask of their queryset otherwise

    def get_queryset(self):
        return _active.get().listing(self.batch_key)

    def get_dated_queryset(self, **lookup):
        posts = _active.get().listing(self.batch_key)
        if not posts and not self.get_allow_empty():
            raise Http404("No posts in this period.")
        return posts

    def get_term(self):
        return _active.get().term(self.batch_key)


_VIEWS = {
    "home": archive_views.HomeView,
    "year": archive_views.YearView,
    "month": archive_views.MonthView,
    "day": archive_views.DayView,
    "category": archive_views.CategoryView,
    "tag": archive_views.TagView,
    "author": archive_views.AuthorView,
}
_batch_views: dict[str, type] = {}


def _listing_view(kind: str) -> type:
    if kind not in _batch_views:
        base = _VIEWS[kind]
        _batch_views[kind] = type(f"Batch{base.__name__}", (_FromBatch, base), {})
    return _batch_views[kind]


def _listing_kwargs(key: tuple, number: int) -> dict:
    kwargs = {} if number <= 1 else {"page": str(number)}
    kind = key[0]
    if kind in ("year", "month", "day"):
        kwargs["year"] = f"{key[1]:04d}"
        if kind in ("month", "day"):
            kwargs["month"] = f"{key[2]:02d}"
        if kind == "day":
            kwargs["day"] = f"{key[3]:02d}"
    elif kind == "category":
        kwargs["path"] = key[1][len("/category/") : -1]
    elif kind in ("tag", "author"):
        kwargs["slug"] = key[1].split("/")[2]
    return kwargs


# -- a few listing pages, from the posts the store says they show --------------------------------------


class _Window(Sequence):
    """A listing of ``total`` posts of which only one page is loaded: what the paginator slices."""

    def __init__(self, total: int, offset: int, posts: list[Post]):
        self.total, self.offset, self.posts = total, offset, posts

    def __len__(self):
        return self.total

    def __getitem__(self, index):
        if isinstance(index, slice) and index.start == self.offset:
            return self.posts[: (index.stop or self.total) - self.offset]
        raise IndexError("only the loaded page of this listing can be read")


class _WindowBatch(BatchRenderer):
    """A batch that knows a few listing pages: their total, page number and posts."""

    def __init__(self, windows: dict[str, _Window]):
        super().__init__()
        self.windows = windows
        self._current: str = ""

    def listing(self, key: tuple):
        return self.windows[self._current]

    def _render_listing(self, url, key, number):
        self._current = url
        return super()._render_listing(url, key, number)


def render_windows(windows: dict[str, tuple]) -> dict[str, Rendered]:
    """Render listing pages ``{url: (key, total, number, post ids)}``; a page whose posts changed meanwhile is left out."""
    from broadsheet.comments.moderation import closing_reason
    from broadsheet.comments.models import Comment

    wanted = {pk for _key, _total, _number, pks in windows.values() for pk in pks}
    posts = {post.pk: post for post in Post.objects.listed().for_summaries().filter(pk__in=wanted)}
    site = SiteSettings.current()
    counts = Comment.objects.approved_counts(posts) if posts else {}
    for post in posts.values():
        post.comment_count = counts.get(post.pk, 0)
        post.comments_open = closing_reason(post, site) is None
    loaded = {}
    per_page = max(site.posts_per_page, 1)
    for url, (_key, total, number, pks) in windows.items():
        if all(pk in posts for pk in pks):
            loaded[url] = _Window(total, (number - 1) * per_page, [posts[pk] for pk in pks])
    batch = _WindowBatch(loaded)
    results = {}
    jobs = [(url, ("listing", windows[url][0], windows[url][2])) for url in loaded]
    for (url, _job), rendered in zip(jobs, batch.render_many(jobs), strict=True):
        results[url] = rendered
    return results
