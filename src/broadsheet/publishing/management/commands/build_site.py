"""``broadsheet build``: a static site, the page store again, or the check of the store."""

from __future__ import annotations

import contextlib
import resource
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from broadsheet.publishing.build import build_site, check_store
from broadsheet.publishing.publish import get_store, refresh_store


class Command(BaseCommand):
    help = "Render the whole public site: into a folder for any static host, or into the page store."

    def add_arguments(self, parser):
        parser.add_argument("--output", default="site", help="Folder of the static site (default: ./site).")
        parser.add_argument("--base-url", default="", help="Public address of the static site (default: the site URL).")
        parser.add_argument("--workers", type=int, default=0, help="Worker processes (default: one per core).")
        parser.add_argument("--check", action="store_true", help="Compare a fresh build with the page store.")
        parser.add_argument("--store", action="store_true", help="Render the whole page store again.")

    def handle(self, *args, output, base_url, workers, check, store, **options):
        if check or store:
            page_store = get_store()
            if page_store is None:
                raise CommandError("The page store is off (BROADSHEET_PAGE_STORE=off).")
        if check:
            if not page_store.exists():
                raise CommandError(f"There is no page store in {page_store.root} yet: run `broadsheet build --store`.")
            with _progress("Checking") as progress, _one_line_errors("checked in a temporary folder"):
                report = check_store(page_store, workers=workers or None, progress=progress)
            if report.pending_rendered:
                self.stdout.write(f"Rendered {report.pending_rendered} deferred pages first.")
            for label, urls in (("differs", report.differ), ("missing", report.missing), ("extra", report.extra),
                                ("part differs", report.parts_differ)):  # fmt: skip
                for url in urls:
                    self.stdout.write(f"{label}: {url}")
            if not report.ok:
                count = len(report.differ) + len(report.missing) + len(report.extra) + len(report.parts_differ)
                raise CommandError(f"The page store differs from a fresh build in {count} places.")
            self.stdout.write(f"The page store matches a fresh build ({report.pages} pages).")
            return
        if store:
            with _progress("Rendering") as progress, _one_line_errors(f"written to {page_store.root}"):
                report = refresh_store(page_store, workers=workers or None, progress=progress)
            self.stdout.write(
                f"Rendered {len(report.rendered)} pages into {page_store.root} in {report.seconds:.1f} s."
            )
            return
        with _progress("Building") as progress, _one_line_errors(f"written to {output}"):
            report = build_site(Path(output), base_url=base_url or None, workers=workers or None, progress=progress)
        for url, reason in sorted(report.failed.items()):
            self.stderr.write(f"not built: {url} ({reason})")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss + resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        self.stdout.write(
            f"Built {report.pages} pages, {report.redirects} redirects, {report.static_files} static and "
            f"{report.media_files} media files into {report.output} in {report.seconds:.1f} s "
            f"({report.workers} workers; peak memory {peak / 1024:.0f} MB; base URL {base_url or settings.SITE_URL})."
        )


@contextlib.contextmanager
def _progress(label: str):
    """A rich progress bar on a terminal; nothing otherwise."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(
        TextColumn(f"{label} pages"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
        console=Console(stderr=True), transient=True,
    ) as progress:  # fmt: skip
        task = progress.add_task(label, total=None)

        def advance(count: int, total: int) -> None:
            progress.update(task, advance=count, total=total)

        yield advance


@contextlib.contextmanager
def _one_line_errors(what: str):
    """A full disk or a folder one may not write to ends the command with one line, not a traceback."""
    try:
        yield
    except OSError as error:
        where = f" ({error.filename})" if error.filename else ""
        raise CommandError(f"The site could not be {what}: {error.strerror or error}{where}.") from error
