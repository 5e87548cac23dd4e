"""Keeping the page store current: apply a change, render what is due, refresh everything.

``apply_changes`` is what runs after a commit (see changes.py): under the
render lock it takes the footprints after the change, plans the URLs
(dependencies.py), records old addresses of moved entries (legacy.OldPath,
so they answer 301), removes what no longer exists, renders the rest through
Django (render.py) and writes it (store.py). Deferred URLs are removed at once
and rendered afterwards by ``drain_pending`` (inline, or by a background
thread in a server process).

``publish_due`` makes scheduled posts go live in the store at their time;
``refresh_store`` renders the whole site into the store (after bulk imports,
a change of settings or terms, or a theme change).
"""

from __future__ import annotations

import collections
import datetime
import hashlib
import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from broadsheet.content.models import Page, Post, SiteSettings
from broadsheet.content.models.entries import LIVE_STATUSES
from broadsheet.publishing.dependencies import Plan, listing_feeds, listing_page_url, plan_changes, term_listing_key
from broadsheet.publishing.footprints import SiteShape, comment_footprint, page_footprint, post_footprint
from broadsheet.publishing.render import render_parts, render_url
from broadsheet.publishing.store import PageStore, Rendered, StoreError
from broadsheet.publishing.stream import Entry, announce, id_key, stream_tip

log = logging.getLogger("broadsheet.publishing")

PENDING_CHUNK = 50  # deferred URLs rendered per store transaction
BATCH_DRAIN = 200  # this many deferred URLs or more are rendered as a build renders, from data loaded once
recent_reports: collections.deque = collections.deque(maxlen=20)  # the last changes applied in this process
# Where deferred renders go: "inline" (right after the change), "thread" (a background thread)
# or "manual" (left pending for drain_pending(); the server's background thread takes them too).
DEFERRED_MODE = {"mode": "inline"}


def get_store() -> PageStore | None:
    """Return the configured page store (None when ``BROADSHEET_PAGE_STORE=off``)."""
    root = getattr(settings, "PAGE_STORE", None)
    if not root:
        return None
    return _stores.setdefault(str(root), PageStore(Path(root)))


_stores: dict[str, PageStore] = {}


@dataclass
class Report:
    """What one change did to the store, for the log, the CLI and benchmarks."""

    rendered: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    deferred: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)
    parts_written: list[str] = field(default_factory=list)
    full: bool = False
    seconds: float = 0.0


class _SiteContext:
    """The site's settings and time zone, fresh from the database, for renders outside a request."""

    def __enter__(self):
        self.site = SiteSettings.load()
        self.token = SiteSettings.use(self.site)
        # (restored on exit, not deactivated: a render after a commit inside a request leaves its zone)
        self.zone = timezone.override(self.site.tzinfo)
        self.zone.__enter__()
        return self.site

    def __exit__(self, *exc):
        self.zone.__exit__(*exc)
        SiteSettings.reset_current(self.token)


def apply_changes(before: dict, *, full=False, parts=False, new_terms=(), store: PageStore | None = None) -> Report:
    """Bring the store in step with changes to the entries in ``before`` (their footprints before the change)."""
    store = store or get_store()
    report = Report(full=full)
    if store is None or not store.exists():
        return report
    started = time.perf_counter()
    if full:
        mark_stale(store)
        report.seconds = time.perf_counter() - started
        recent_reports.append(report)
        return report
    with store.lock(), _SiteContext():
        shape = SiteShape.load()
        now = timezone.now()
        changes = {key: (state, _footprint_after(key, shape, now)) for key, state in before.items()}
        plan = plan_changes(changes, shape, now, store=store)
        for kind, pk in new_terms:
            _plan_new_term(plan, kind, pk)
        plan.parts = plan.parts or parts
        _record_old_addresses(plan)
        _execute(store, plan, report)
    report.seconds = time.perf_counter() - started
    recent_reports.append(report)
    announce(store, _entry_for(report))
    if report.deferred:
        _after_deferral(store)
    log.info("Rendered %d pages (%d written, %d removed, %d deferred) in %.0f ms", len(report.rendered),
             len(report.written), len(report.removed), len(report.deferred), report.seconds * 1000)  # fmt: skip
    return report


def _footprint_after(key, shape, now):
    kind, pk = key
    if kind == "post":
        return post_footprint(pk, shape, now)
    if kind == "page":
        return page_footprint(pk, shape, now)
    return comment_footprint(pk)


def _plan_new_term(plan: Plan, kind: str, pk: int) -> None:
    from broadsheet.content.models import Author, Category, Tag

    model = {"category": Category, "tag": Tag, "author": Author}[kind]
    term = model.objects.filter(pk=pk).first()
    if term is None:
        return
    key = term_listing_key(kind, term)
    plan.add(listing_page_url(key, 1), 1)
    for url in listing_feeds(key):
        plan.add(url, 2)


def _record_old_addresses(plan: Plan) -> None:
    """Make the old permalink of a moved entry answer 301 (WordPress's ``_wp_old_slug``)."""
    from broadsheet.legacy.models import OldPath

    for old_path, kind, pk in plan.redirects:
        with transaction.atomic():
            OldPath.objects.update_or_create(path=old_path, defaults={"post_id": pk if kind == "post" else None,
                                                                      "page_id": pk if kind == "page" else None,
                                                                      "media": None, "source": "moved"})  # fmt: skip
    for kind, pk in {(kind, pk) for _old, kind, pk in plan.redirects}:
        model = Post if kind == "post" else Page
        entry = model.objects.filter(pk=pk).first()
        if entry is not None:  # an address it has again is no longer old
            OldPath.objects.filter(path=entry.get_absolute_url(), **{kind: entry}).delete()


def _execute(store: PageStore, plan: Plan, report: Report, meta: dict[str, str] | None = None) -> None:
    """Apply ``plan`` to the store: removals, deferrals, renders, site-wide parts, then ``meta``."""
    with store.writing(lock=False) as writer:
        for url in sorted(plan.remove):
            if writer.remove(url):
                report.removed.append(url)
        for url in plan.deferred:
            if writer.remove(url):
                report.removed.append(url)
        writer.add_pending(plan.deferred)
        report.deferred.extend(plan.deferred)
        windows = _render_windows(plan.windows) if plan.windows else {}
        for url in sorted(plan.render, key=lambda url: (plan.render[url], url)):
            _render_into(writer, url, report, windows.get(url))
        if plan.parts:
            for name, body in render_parts().items():
                if writer.put_part(name, body):
                    report.parts_written.append(name)
        for key, value in (meta or {}).items():
            writer.set_meta(key, value)
        writer.set_meta("next_due", _next_due_value())


def _entry_for(report: Report) -> Entry:
    """What the other machines' stores render again after this change (see stream.py)."""
    deferred = set(report.deferred)
    rendered = set(report.rendered)
    removed = [url for url in report.removed if url not in deferred and url not in rendered]
    return Entry(render=sorted(rendered), remove=sorted(set(removed)), defer=sorted(deferred),
                 parts=bool(report.parts_written))  # fmt: skip


def apply_stream_entries(store: PageStore, entries: list[Entry], *, origin: str) -> Report:
    """Apply changes announced by other machines' stores (stream.py) to ``store``, once each, in order.

    Every URL they name is rendered again from the database (or removed, if it no longer renders), deferred
    ones are deferred here too, and a change of site-wide parts renders them. Entries this store announced
    itself are skipped. A missing entry (its number skipped) or a stale mark marks this store stale.
    """
    report = Report()
    with store.lock(), _SiteContext():
        applied_id, applied_n = store.meta("stream_at"), store.meta("stream_n")
        fresh = [entry for entry in entries if id_key(entry.id) > id_key(applied_id)]
        if not fresh:
            return report
        plan, stale = Plan(), False
        last_n = int(applied_n) if applied_n is not None else None
        for entry in fresh:
            if last_n is not None and entry.n != last_n + 1:
                log.warning("Page store stream: entries %s to %s are missing; rendering everything again",
                            last_n + 1, entry.n - 1)  # fmt: skip
                stale = True
            last_n = entry.n
            if entry.origin == origin:
                continue
            stale = stale or entry.stale
            for url in (*entry.render, *entry.remove):
                plan.add(url, 1)
            for url in entry.defer:
                plan.defer(url, 2)
            plan.parts = plan.parts or entry.parts
        meta = {"stream_at": fresh[-1].id, "stream_n": str(last_n)}
        if stale:
            plan, meta["stale"] = Plan(), "1"
        _execute(store, plan.finish(), report, meta)
        if stale:
            (store.root / "_stale").touch()
    if report.deferred:
        _after_deferral(store)
    return report


def join_stream(store: PageStore, entry_id: str, number: int) -> None:
    """Start following the stream at its tip, for a store that never recorded a position.

    Entries before the tip may never have been applied here: unless there are none, render everything again.
    """
    with store.lock(), store.writing(lock=False) as writer:
        if writer.meta("stream_at") is not None:
            return
        writer.set_meta("stream_at", entry_id)
        writer.set_meta("stream_n", str(number))
        if number:
            writer.set_meta("stale", "1")
            (store.root / "_stale").touch()


def _render_windows(windows: dict) -> dict[str, Rendered]:
    """Render listing pages whose posts the store knows, from just those posts (no counting, no offsets)."""
    from broadsheet.publishing.batch import render_windows

    return render_windows(windows)


def _render_into(writer, url: str, report: Report, rendered: Rendered | None = None) -> Rendered:
    rendered = rendered or render_url(url)
    report.rendered.append(url)
    if rendered.storable:
        try:
            if writer.put(rendered):
                report.written.append(url)
            return rendered
        except StoreError as error:
            report.refused[url] = str(error)
            log.warning("Not stored: %s", error)
    elif rendered.status == 200:
        report.refused[url] = rendered.reason
    if writer.remove(url):
        report.removed.append(url)
    return rendered


def _after_deferral(store: PageStore) -> None:
    mode = DEFERRED_MODE["mode"]
    if mode == "inline":
        drain_pending(store)
    elif mode == "thread":
        _wake_drainer(store)


def drain_pending(store: PageStore | None = None, limit: int | None = None) -> int:
    """Render deferred URLs (in chunks, each its own store transaction); return how many."""
    store = store or get_store()
    if store is None or not store.exists():
        return 0
    if limit is None and len(store.pending()) >= BATCH_DRAIN:
        return _drain_in_batch(store)
    done = 0
    while limit is None or done < limit:
        with store.lock(), _SiteContext():
            with store.writing(lock=False) as writer:
                urls = writer.take_pending(PENDING_CHUNK if limit is None else min(PENDING_CHUNK, limit - done))
                report = Report()
                for url in urls:
                    _render_into(writer, url, report)
        if not urls:
            break
        done += len(urls)
    return done


def _drain_in_batch(store: PageStore) -> int:
    """Many deferred pages (a new post moved every later page of its listings): render them as a build does."""
    from broadsheet.publishing.batch import BatchRenderer
    from broadsheet.publishing.catalogue import collect_urls

    done = 0
    with store.lock(), _SiteContext():
        catalogue = collect_urls()
        batch = BatchRenderer()
        while True:
            with store.writing(lock=False) as writer:
                urls = writer.take_pending(BATCH_DRAIN)
                report = Report()
                renders = batch.render_many([(url, catalogue.job(url)) for url in urls])
                for url, rendered in zip(urls, renders, strict=True):
                    _render_into(writer, url, report, rendered)
            if not urls:
                return done
            done += len(urls)


def mark_stale(store: PageStore) -> None:
    """Stop servers answering from the store until ``refresh_store`` has rendered everything again."""
    with store.writing() as writer:
        writer.set_meta("stale", "1")
    (store.root / "_stale").touch()
    announce(store, Entry(stale=True))  # every machine's store renders everything again


def is_stale(store: PageStore) -> bool:
    return store.meta("stale") == "1"


def _next_due_value(now: datetime.datetime | None = None) -> str | None:
    due = next_due(now)
    return repr(due.timestamp()) if due else None


def next_due(now: datetime.datetime | None = None) -> datetime.datetime | None:
    """Return when pages next change by the clock alone: a scheduled entry goes live, or a post's comments close.

    (One aggregate query each for posts, pages and closing comments.)
    """
    now = now or timezone.now()
    times = [
        model.objects.filter(status__in=LIVE_STATUSES, published_at__gt=now).aggregate(due=Min("published_at"))["due"]
        for model in (Post, Page)
    ]
    days = SiteSettings.current().comments_close_after_days
    if days:
        window = datetime.timedelta(days=days)
        oldest_open = (
            Post.objects.live(now).filter(comment_status="open", published_at__gt=now - window)
            .aggregate(due=Min("published_at"))["due"]
        )  # fmt: skip
        times.append(oldest_open + window if oldest_open else None)
    times = [moment for moment in times if moment is not None]
    return min(times) if times else None


def _due_changes(since: datetime.datetime, now: datetime.datetime, shape: SiteShape) -> dict:
    """Entries whose pages changed by the clock between ``since`` and ``now``: footprints then and now."""
    changes = {}
    for model, kind, footprint in ((Post, "post", post_footprint), (Page, "page", page_footprint)):
        due = model.objects.filter(status__in=LIVE_STATUSES, published_at__gt=since, published_at__lte=now)
        for pk in due.values_list("pk", flat=True):
            changes[(kind, pk)] = (footprint(pk, shape, since), footprint(pk, shape, now))
    days = SiteSettings.current().comments_close_after_days
    if days:
        window = datetime.timedelta(days=days)
        closing = Post.objects.live(now).filter(
            comment_status="open", published_at__gt=since - window, published_at__lte=now - window
        )
        for pk in closing.values_list("pk", flat=True):
            changes[("post", pk)] = (post_footprint(pk, shape, since), post_footprint(pk, shape, now))
    return changes


def publish_due(store: PageStore | None = None, now: datetime.datetime | None = None) -> Report:
    """Render the pages of entries whose scheduled time has come since the last call."""
    store = store or get_store()
    report = Report()
    if store is None or not store.exists():
        return report
    now = now or timezone.now()
    with store.lock(), _SiteContext():
        done_until = store.meta("published_until")
        since = (
            datetime.datetime.fromtimestamp(float(done_until), tz=datetime.timezone.utc)
            if done_until
            else now - datetime.timedelta(days=1)
        )
        shape = SiteShape.load()
        changes = _due_changes(since, now, shape)
        plan = plan_changes(changes, shape, now) if changes else Plan()
        plan.parts = plan.parts or bool(changes)
        started = time.perf_counter()
        _execute(store, plan, report, meta={"published_until": repr(now.timestamp())})
        report.seconds = time.perf_counter() - started
    recent_reports.append(report)
    announce(store, _entry_for(report))
    if report.deferred:
        _after_deferral(store)
    return report


# -- full refresh --------------------------------------------------------------------------------


def render_fingerprint() -> str:
    """Return a digest of what every page depends on besides content: templates, version, site URL."""
    import broadsheet
    from django.template import engines

    digest = hashlib.blake2b(digest_size=12)
    digest.update(f"{broadsheet.__version__}|{settings.SITE_URL}|{settings.STATIC_URL}".encode())
    loader = engines["jinja2"].env.loader
    roots = sorted({str(path) for path in _template_roots(loader)})
    for root in roots:
        for path in sorted(Path(root).rglob("*")):
            if path.is_file():
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def _template_roots(loader):
    for attribute in ("loaders",):
        for inner in getattr(loader, attribute, ()) or ():
            yield from _template_roots(inner)
    for inner in getattr(loader, "mapping", {}).values():
        yield from _template_roots(inner)
    for path in getattr(loader, "searchpath", ()) or ():
        if Path(path).is_dir():
            yield path


def refresh_store(
    store: PageStore | None = None, *, progress=None, workers: int | None = None, only_if_stale: bool = False
) -> Report:
    """Render the whole site into the store: write what changed, remove what no longer exists."""
    from broadsheet.publishing.build import build_store

    store = store or get_store()
    report = Report(full=True)
    if store is None:
        return report
    store.create()
    started = time.perf_counter()
    with store.lock():
        if only_if_stale and not is_stale(store):
            return report  # another process refreshed it while this one waited
        tip = stream_tip()  # every change announced up to here is rendered by this refresh
        built = build_store(store, progress=progress, workers=workers, report=report)
        with store.writing(lock=False) as writer:
            if tip is not None and id_key(tip[0]) > id_key(writer.meta("stream_at")):
                writer.set_meta("stream_at", tip[0])
                writer.set_meta("stream_n", str(tip[1]))
            writer.set_meta("stale", None)
            writer.set_meta("fingerprint", render_fingerprint())
            # Entries due after the moment the site was rendered as of are published by publish_due.
            writer.set_meta("published_until", repr(built.rendered_at.timestamp()))
            writer.set_meta("next_due", _next_due_value(built.rendered_at))
            writer.connection.execute("DELETE FROM pending")
        (store.root / "_stale").unlink(missing_ok=True)
    report.seconds = time.perf_counter() - started
    return report


def store_needs_refresh(store: PageStore) -> str:
    """Return why the store must be rendered again ("" when it is current)."""
    if not store.exists() or store.meta("fingerprint") is None:
        return "the store is new"
    if is_stale(store):
        return "content changed in bulk"
    if store.meta("fingerprint") != render_fingerprint():
        return "templates, version or site address changed"
    return ""


# -- background work in a server process ------------------------------------------------------------

_drainer_event = threading.Event()
_drainer_started = threading.Lock()
_drainer: threading.Thread | None = None


def _wake_drainer(store: PageStore) -> None:
    global _drainer
    with _drainer_started:
        if _drainer is None or not _drainer.is_alive():
            _drainer = threading.Thread(target=_drain_forever, args=(store,), name="broadsheet-drainer", daemon=True)
            _drainer.start()
    _drainer_event.set()


def _drain_forever(store: PageStore) -> None:
    from django.db import close_old_connections

    while True:
        _drainer_event.wait()
        _drainer_event.clear()
        try:
            drain_pending(store)
        except Exception:
            log.exception("Rendering deferred pages failed")
        finally:
            close_old_connections()
