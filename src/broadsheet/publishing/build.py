"""Whole-site builds: the page store from scratch, a static site, and the check of one against the other.

Phase 1 collects every public URL (catalogue.py). Phase 2 renders them, split
between worker processes forked from this one (each opens its own database
connection), each writing its pages' files and sending back what the
manifest needs. Two URLs on one file is an error, as in Pelican.

``build_site`` writes a folder any static host can serve as is: pages as
``…/index.html`` with the site-wide parts inlined, feeds as ``…/index.xml``,
``sitemap.xml``, ``robots.txt``, ``404.html``, the theme's static files and the
media, and redirects for moved addresses (HTML refresh pages, an nginx
include and a Netlify-style ``_redirects``). It builds into a hidden sibling
folder and renames it into place at the end, so an interrupted build leaves
the previous site as it was.

``check_store`` renders the whole site into a temporary store and compares
it, file by file, with the incremental one.
"""

from __future__ import annotations

import contextlib
import datetime
import gc
import html
import multiprocessing
import os
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connections
from django.utils import timezone

from broadsheet.publishing import render as render_module
from broadsheet.publishing.catalogue import collect_urls
from broadsheet.publishing.render import inline_parts, render_parts, render_url
from broadsheet.publishing.store import (
    NOT_FOUND_KEY,
    PageStore,
    StoreError,
    etag_for,
    file_for,
    write_atomically,
    write_page_files,
)
from broadsheet.search.static_index import INDEX_PATH, SEARCH_PAGE, static_search_index
from broadsheet.theme.static_copy import rendering_static_copy

CHUNK = 64  # URLs per task sent to a worker


@dataclass
class BuildReport:
    output: Path | None = None
    pages: int = 0
    written: int = 0
    removed: int = 0
    redirects: int = 0
    static_files: int = 0
    media_files: int = 0
    seconds: float = 0.0
    workers: int = 1
    failed: dict[str, str] = field(default_factory=dict)  # URL -> why it is not in the build
    rendered_at: datetime.datetime | None = None  # the moment the site was rendered as of (scheduled posts)


@dataclass
class CheckReport:
    pages: int = 0
    differ: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # in a fresh build, not in the store
    extra: list[str] = field(default_factory=list)  # in the store, not in a fresh build
    parts_differ: list[str] = field(default_factory=list)
    pending_rendered: int = 0

    @property
    def ok(self) -> bool:
        return not (self.differ or self.missing or self.extra or self.parts_differ)


# -- rendering in workers ------------------------------------------------------------------------------

# Set in the parent before forking; the workers inherit it.
_job: dict = {}


def _renderer():
    """The build's batch renderer: made and warmed up in the parent, so forked workers inherit its data."""
    if _job.get("batch") is None:
        from broadsheet.publishing.batch import BatchRenderer

        _job["batch"] = BatchRenderer(now=_job.get("now"))
    batch = _job["batch"]
    if batch.parts is None and _job.get("mode") == "static" and _job.get("parts") is not None:
        # A static page shows the parts themselves: rendered into it, not spliced in after.
        batch.parts = {name: part.decode() for name, part in _job["parts"].items()}
    return batch


def _warm_up(urls: list[str]) -> None:
    """Load what every worker needs once, before the fork: the listings, compiled templates, headers."""
    if not _job.get("fast", True):
        return
    batch = _renderer()
    batch.know_urls({job[1]: url for url, job in _job["jobs"].items() if job[0] == "post"})
    batch.warm_up([(url, _job["jobs"].get(url, ("view",))) for url in urls])


def _ready_for_early_workers() -> None:
    """Make what every worker makes first, once, before forking: the batch renderer and the middleware's headers.

    (This process makes them for its own warm-up anyway; each early worker
    made them again, rendering robots.txt through the whole request cycle.)
    """
    batch = _renderer()
    batch.template_names()
    batch._middleware_headers()


def _render_chunk(urls: list[str]) -> list[tuple]:
    """Render ``urls`` and write their files; return one result tuple per URL."""
    mode, root = _job["mode"], _job["root"]
    results = []
    jobs = _job["jobs"]
    if _job.get("fast", True):
        renders = _renderer().render_many([(url, jobs.get(url, ("view",))) for url in urls])
    else:
        renders = [render_url(url) for url in urls]
    for url, rendered in zip(urls, renders, strict=True):
        if not rendered.storable:
            results.append((url, "refused", rendered.reason or str(rendered.status), rendered.status, rendered.location))
            continue
        try:
            if mode == "static":
                relative = "404.html" if url == NOT_FOUND_KEY else file_for(url, rendered.content_type)
                body, parts = rendered.body, _job.get("parts")
                if rendered.parts:  # include markers (pages rendered with the parts in place have none)
                    if parts is None:  # (early jobs are those whose pages show no site-wide part)
                        raise RuntimeError(f"{url} was rendered before the site-wide parts it shows")
                    body = inline_parts(body, parts)
                _write_new(root, relative, body)
                results.append((url, "ok", relative))
                continue
            relative = file_for(url, rendered.content_type)
            etag = etag_for(rendered.body)
            previous = _job["existing"].get(url)
            parts = ",".join(rendered.parts)
            unchanged = previous is not None and previous[:2] == (relative, etag) and (root / relative).exists()
            if unchanged:
                compressed = previous[2]
            elif _job.get("fresh"):  # a store built only to be compared: no siblings, no renames
                _write_new(root, relative, rendered.body)
                compressed = False
            else:
                compressed = write_page_files(root, relative, rendered.body, with_siblings=not rendered.parts,
                                              content_type=rendered.content_type, url=url,
                                              had_siblings=bool(previous and previous[2]))  # fmt: skip
            results.append((url, "ok", relative, rendered.content_type, etag, parts, compressed, rendered.headers,
                            unchanged, rendered.listing, rendered.neighbours))  # fmt: skip
        except StoreError as error:
            results.append((url, "refused", str(error), 200, ""))
    return results


_made_folders: set[str] = set()
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC


def _write_new(root: Path, relative: str, data: bytes) -> None:
    """Write a file into a folder being built aside (no reader sees it before the swap: no temporary name).

    (With ``os`` calls on strings: tens of thousands of files, and pathlib's
    objects cost more than the writing in user time.)
    """
    path = f"{root}/{relative}"
    folder = path.rpartition("/")[0]
    if folder not in _made_folders:
        try:
            try:
                os.mkdir(folder)
            except FileNotFoundError:
                os.makedirs(folder, exist_ok=True)
            except FileExistsError:
                if not os.path.isdir(folder):
                    raise
        except (FileExistsError, NotADirectoryError) as error:
            raise StoreError(f"{path} clashes with another page's file: {error}") from error
        _made_folders.add(folder)
    try:
        handle = os.open(path, _NEW_FILE, 0o666)
    except FileExistsError as error:
        raise StoreError(f"{path} is written twice") from error
    except (IsADirectoryError, NotADirectoryError) as error:
        raise StoreError(f"{path} clashes with another page's folder: {error}") from error
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(handle, view) :]
    finally:
        os.close(handle)


def _worker_start() -> None:
    # Each worker opens its own database connections (those of the parent were closed before the fork).
    connections.close_all()
    render_module._handler = None


def _uses_memory_database() -> bool:
    return any(
        connection.vendor == "sqlite" and connection.is_in_memory_db() for connection in connections.all()
    )


@contextlib.contextmanager
def _fewer_collections():
    """Within the block (and in workers forked in it), the cycle collector runs ~30x less often.

    A build allocates millions of short-lived objects (model instances, template
    contexts, strings), nearly all freed by reference counting; with the
    default thresholds the collector still ran every 700 allocations and took
    a tenth of the rendering time. Garbage cycles now wait a little longer.
    """
    thresholds = gc.get_threshold()
    gc.set_threshold(20_000, 20, 20)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


def _render_all(urls: list[str], workers: int, progress=None, prepare=None, meanwhile=None) -> list[tuple]:
    """Render ``urls``; ``prepare()`` is called first, or while early workers already render (see below).

    ``meanwhile()`` is called in this process while the workers render (after them without workers).
    """
    _made_folders.clear()
    try:
        return _render_all_in(urls, workers, progress, prepare or (lambda: None), meanwhile or (lambda: None))
    finally:
        _job.pop("batch", None)  # its data is for this build only
        _made_folders.clear()


def _chunks(urls: list[str]) -> list[list[str]]:
    return [urls[start : start + CHUNK] for start in range(0, len(urls), CHUNK)]


# Jobs rendered from data each worker loads for itself, in small pieces: they start before the rest is loaded.
_EARLY_JOBS = frozenset({"entry_feed"})


def _render_all_in(urls: list[str], workers: int, progress, prepare, meanwhile) -> list[tuple]:
    results: list[tuple] = []
    if workers <= 1 or len(urls) < 2 * CHUNK or _uses_memory_database():
        prepare()
        for chunk in _chunks(urls):
            results.extend(_render_chunk(chunk))
            if progress:
                progress(len(chunk), len(urls))
        meanwhile()
        return results
    # Posts' comment feeds need none of what ``prepare`` and ``_warm_up`` make: workers forked at once render
    # them while this process renders the site-wide parts and loads the listings and templates, which the
    # workers forked after it then share. (That took a core for a tenth of a 10,000-post build while the
    # other one had nothing to do.)
    jobs, fast = _job["jobs"], _job.get("fast", True)
    early, later = [], []
    for url in urls:
        (early if fast and jobs.get(url, ("view",))[0] in _EARLY_JOBS else later).append(url)
    collected = threading.Lock()

    def collect(chunk_results):  # (called by the pools' result threads)
        with collected:
            results.extend(chunk_results)
            if progress:
                progress(len(chunk_results), len(urls))

    context = multiprocessing.get_context("fork")
    pools, early_tasks, later_tasks = [], [], []
    if early:
        _ready_for_early_workers()
    connections.close_all()
    try:
        if early:
            pools.append(context.Pool(workers, initializer=_worker_start))
            early_tasks = [pools[-1].apply_async(_render_chunk, (chunk,), callback=collect)
                           for chunk in _far_apart(_chunks(early), workers)]  # fmt: skip
        prepare()
        _warm_up(later)
        connections.close_all()
        gc.freeze()  # what the workers inherit stays shared: the collector does not touch (and copy) it
        try:
            pools.append(context.Pool(workers, initializer=_worker_start))
            later_tasks = [pools[-1].apply_async(_render_chunk, (chunk,), callback=collect)
                           for chunk in _far_apart(_chunks(later), workers)]  # fmt: skip
            meanwhile()
            for task in early_tasks:
                task.get()  # (raises what a worker raised)
            if early_tasks:  # the early workers exit as soon as they are done: their memory is freed
                pools[0].close()
                pools[0].join()
            for task in later_tasks:
                task.get()
        finally:
            gc.unfreeze()
        for pool in pools:
            pool.close()
    finally:
        for pool in pools:
            pool.terminate()
            pool.join()
    return results


def _far_apart(chunks: list[list[str]], workers: int) -> list[list[str]]:
    """Order chunks so that workers render far-apart parts of the site at the same moment.

    Neighbouring URLs write into the same folders (``/page/2/``, ``/page/3/``...),
    and two processes creating entries in one folder at once wait on its lock:
    on this project's machines that doubled the kernel time of writing files.
    Taking chunks in turn from ``workers`` equal stretches of the list keeps
    each worker in its own stretch.
    """
    if workers <= 1:
        return chunks
    size = -(-len(chunks) // workers)
    stretches = [chunks[start : start + size] for start in range(0, len(chunks), size)]
    ordered = []
    for position in range(size):
        ordered.extend(stretch[position] for stretch in stretches if position < len(stretch))
    return ordered


def _default_workers(workers: int | None) -> int:
    return max(1, workers or os.cpu_count() or 1)


# -- the page store ------------------------------------------------------------------------------------


def build_store(
    store: PageStore, *, progress=None, workers: int | None = None, report=None, fast: bool = True,
    fresh: bool = False,
) -> BuildReport:
    """Render the whole site into ``store`` in place: write what changed, remove what no longer exists.

    The caller holds the render lock.
    """
    from broadsheet.publishing.publish import _SiteContext

    started = time.perf_counter()
    build = BuildReport(output=store.root, workers=_default_workers(workers))
    store.create()
    now = build.rendered_at = timezone.now()  # one clock for the catalogue and the renders
    with _fewer_collections(), _SiteContext():
        catalogue = collect_urls(now)
        urls = catalogue.all()
        parts = render_parts()
    existing = {url: (record.file, record.etag, record.compressed) for url, record in store.pages().items()}
    _job.clear()
    _job.update(mode="store", root=store.root, existing=existing, jobs=catalogue.jobs, fast=fast, fresh=fresh,
                now=now)  # fmt: skip
    with _fewer_collections(), _SiteContext():
        results = _render_all(urls, build.workers, progress)
    kept: set[str] = set()
    files: dict[str, str] = {}
    pages, shown, windows = [], [], []
    with store.writing(lock=False) as writer:
        now = time.time()
        for result in results:
            url, outcome = result[0], result[1]
            if outcome != "ok":
                build.failed[url] = result[2]
                continue
            _url, _ok, relative, content_type, etag, parts_used, compressed, headers, unchanged, listing, shows = result
            if relative in files:
                raise StoreError(f"{url} and {files[relative]} would both be stored as {relative}")
            files[relative] = url
            kept.add(url)
            shown.extend((pk, url, "neighbour") for pk in dict.fromkeys(shows))
            if listing is not None:
                shown.extend((pk, url, "listing") for pk in dict.fromkeys(listing[2]))
                windows.append((url, listing[0], listing[1], ",".join(map(str, listing[2]))))
            if not unchanged:
                pages.append((url, relative, content_type, etag, now, parts_used, int(compressed),
                              writer.header_set(headers), writer.seq))  # fmt: skip
        for url in writer.urls() - kept:
            if writer.remove(url):
                build.removed += 1
        # In bulk: one statement per table, not a few per page.
        connection = writer.connection
        connection.executemany(
            "INSERT OR REPLACE INTO pages(url, file, content_type, etag, modified, parts, compressed, headers, seq) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            pages,
        )
        build.written = len(pages)
        connection.execute("DELETE FROM shows")
        connection.execute("DELETE FROM windows")
        connection.executemany("INSERT OR REPLACE INTO shows(post, url, kind) VALUES (?, ?, ?)", shown)
        connection.executemany("INSERT INTO windows(url, total, number, posts) VALUES (?, ?, ?, ?)", windows)
        for name, body in parts.items():
            writer.put_part(name, body)
        writer.set_meta("shows", "1")  # every page's record of the posts it shows is complete
        writer.new_epoch()
    build.pages = len(kept)
    build.seconds = time.perf_counter() - started
    if report is not None:
        report.rendered.extend(urls)
    return build


def check_store(store: PageStore, *, progress=None, workers: int | None = None, fast: bool = True) -> CheckReport:
    """Render the whole site into a temporary store and compare it with ``store``."""
    from broadsheet.publishing.publish import drain_pending

    check = CheckReport()
    check.pending_rendered = drain_pending(store)
    with tempfile.TemporaryDirectory(prefix="broadsheet-check-") as folder:
        fresh = PageStore(Path(folder) / "store")
        try:
            with fresh.lock():
                build_store(fresh, progress=progress, workers=workers, fast=fast, fresh=True)
            check.differ, check.missing, check.extra, check.parts_differ = compare_stores(store, fresh)
            check.pages = len(fresh.pages())
        finally:
            fresh.close()
    return check


def compare_stores(store: PageStore, fresh: PageStore) -> tuple[list, list, list, list]:
    """Return the URLs whose stored bytes differ, those missing from ``store``, those extra, and differing parts."""
    mine, theirs = store.pages(), fresh.pages()
    differ = sorted(
        url for url in set(mine) & set(theirs)
        if mine[url].file != theirs[url].file or _read(store, mine[url].file) != _read(fresh, theirs[url].file)
    )  # fmt: skip
    missing = sorted(set(theirs) - set(mine))
    extra = sorted(set(mine) - set(theirs))
    my_parts, their_parts = store.parts(), fresh.parts()
    parts_differ = sorted(
        name for name in set(my_parts) | set(their_parts)
        if name not in my_parts or name not in their_parts
        or _read(store, my_parts[name][0]) != _read(fresh, their_parts[name][0])
    )  # fmt: skip
    return differ, missing, extra, parts_differ


def _read(store: PageStore, relative: str) -> bytes | None:
    try:
        return store.read(relative)
    except FileNotFoundError:
        return None


# -- a static site -----------------------------------------------------------------------------------


def build_site(
    output: Path, *, base_url: str | None = None, workers: int | None = None, progress=None, fast: bool = True
) -> BuildReport:
    """Render the whole public site into ``output``, ready for any static host."""
    from broadsheet.publishing.publish import _SiteContext

    output = Path(output).resolve()
    started = time.perf_counter()
    build = BuildReport(output=output, workers=_default_workers(workers))
    output.parent.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(output)
    building = Path(tempfile.mkdtemp(prefix=f".{output.name}.building-", dir=output.parent))
    try:
        now = build.rendered_at = timezone.now()  # one clock for the catalogue, the renders and the search index
        with _site_url(base_url), _fewer_collections(), rendering_static_copy():
            with _SiteContext():
                catalogue = collect_urls(now)
                urls = [*catalogue.all(), SEARCH_PAGE]  # (its script searches INDEX_PATH)
            _job.clear()
            _job.update(mode="static", root=building, parts=None, jobs=catalogue.jobs, fast=fast, now=now)
            with _SiteContext():
                results = _render_all(urls, build.workers, progress,
                                      prepare=lambda: _job.update(parts=render_parts()),
                                      meanwhile=lambda: _job.update(search_index=static_search_index(catalogue.paths, now)))  # fmt: skip
            files: dict[str, str] = {}
            for result in results:
                url, outcome = result[0], result[1]
                if outcome != "ok":
                    build.failed[url] = result[2]
                    continue
                if result[2] in files:
                    raise StoreError(f"{url} and {files[result[2]]} would both be written to {result[2]}")
                files[result[2]] = url
            build.pages = len(files)
            _write_new(building, INDEX_PATH, _job.pop("search_index"))
            build.static_files = _copy_static(building / settings.STATIC_URL.strip("/"))
            build.media_files = _copy_media(building / settings.MEDIA_URL.strip("/"))
            with _SiteContext():
                build.redirects = _write_redirects(building, set(files.values()), feeds=sorted(
                    url for url, in_file in ((url, relative) for relative, url in files.items())
                    if in_file.endswith("index.xml")
                ))  # fmt: skip
        _swap_into_place(building, output)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    build.seconds = time.perf_counter() - started
    return build


@contextlib.contextmanager
def _site_url(base_url: str | None):
    """Within the block, absolute URLs (canonical links, feeds, sitemap) use ``base_url``."""
    if not base_url:
        yield
        return
    from urllib.parse import urlsplit

    base_url = base_url.rstrip("/")
    host = urlsplit(base_url).hostname
    saved = settings.SITE_URL, list(settings.ALLOWED_HOSTS)
    settings.SITE_URL = base_url
    if host and host not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, host]
    try:
        yield
    finally:
        settings.SITE_URL, settings.ALLOWED_HOSTS = saved


def _remove_leftovers(output: Path) -> None:
    """Remove folders left by builds that were killed before they could clean up."""
    for pattern in (f".{output.name}.building-*", f".{output.name}.old-*"):
        for leftover in output.parent.glob(pattern):
            _remove_in_background(leftover)


def _swap_into_place(building: Path, output: Path) -> None:
    if output.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{output.name}.old-", dir=output.parent))
        old.rmdir()
        os.rename(output, old)
        os.rename(building, output)
        _remove_in_background(old)
    else:
        os.rename(building, output)


def _remove_in_background(folder: Path) -> None:
    """Delete the previous site without waiting: tens of thousands of unlinks can take longer than the build.

    (If this is interrupted, the next build removes the leftover folder.)
    """
    remover = shutil.which("rm")
    if remover is None:
        shutil.rmtree(folder, ignore_errors=True)
        return
    import subprocess

    subprocess.Popen([remover, "-rf", "--", str(folder)], start_new_session=True,
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _copy_static(target: Path) -> int:
    """Copy every static file the theme and apps ship (what ``collectstatic`` gathers)."""
    from django.contrib.staticfiles.finders import get_finders

    count = 0
    seen: set[str] = set()
    for finder in get_finders():
        for relative, storage in finder.list(["CVS", ".*", "*~"]):
            if relative in seen:
                continue
            seen.add(relative)
            destination = target / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            _link_or_copy(storage.path(relative), str(destination))
            count += 1
    return count


def _copy_media(target: Path) -> int:
    media = Path(settings.MEDIA_ROOT)
    if not media.is_dir():
        return 0
    shutil.copytree(media, target, copy_function=_link_or_copy, dirs_exist_ok=True)
    return sum(1 for path in target.rglob("*") if path.is_file())


def moved_addresses(pages: set[str]) -> list[tuple[str, str]]:
    """Return ``(old path, new path)`` for recorded old addresses that are not pages themselves."""
    from broadsheet.legacy.models import OldPath

    moves = []
    for old in OldPath.objects.select_related("post", "page", "media").order_by("path"):
        if "?" in old.path or not old.path.startswith("/") or old.path in pages:
            continue
        target = old.target_url()
        if target and target != old.path and not target.startswith("/?"):
            moves.append((old.path, target))
    return moves


def _write_redirects(root: Path, pages: set[str], feeds: list[str]) -> int:
    moves = moved_addresses(pages)
    netlify = ["# Moved addresses (301) and feeds (served from index.xml)."]
    nginx = [
        "# Moved addresses: include inside the server block of the static site.",
        "# Feeds are stored as <path>/index.xml: also set `index index.html index.xml;`.",
    ]
    for old, new in moves:
        old_uri, new_uri = quote(old, safe="/:@&=+$,;~!*'()%"), quote(new, safe="/:@&=+$,;~!*'()%#")
        netlify.append(f"{old_uri}  {new_uri}  301")
        nginx.append(f'location = "{old_uri}" {{ return 301 "{new_uri}"; }}')
        relative = old.lstrip("/") + ("index.html" if old.endswith("/") else "")
        if relative and not (root / relative).exists():
            with contextlib.suppress(OSError):
                write_atomically(root / relative, _refresh_page(new))
    for url in feeds:
        uri = quote(url, safe="/:@&=+$,;~!*'()%")
        netlify.append(f"{uri}  {uri}index.xml  200")
    write_atomically(root / "_redirects", ("\n".join(netlify) + "\n").encode())
    write_atomically(root / "nginx-redirects.conf", ("\n".join(nginx) + "\n").encode())
    return len(moves)


def _refresh_page(target: str) -> bytes:
    location = html.escape(settings.SITE_URL + target, quote=True)
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<title>Moved</title>\n<link rel=\"canonical\" href=\"{location}\">\n"
        f"<meta http-equiv=\"refresh\" content=\"0; url={location}\">\n"
        "<meta name=\"robots\" content=\"noindex\">\n</head>\n"
        f"<body><p>This page has moved to <a href=\"{location}\">{location}</a>.</p></body>\n</html>\n"
    ).encode()
