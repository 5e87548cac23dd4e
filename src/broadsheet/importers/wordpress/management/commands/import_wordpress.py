import argparse
import resource

from django.core.management.base import BaseCommand, CommandError

from broadsheet.importers.wordpress.load import WXRError, import_wxr


class Command(BaseCommand):
    help = "Import a WordPress export (WXR 1.0-1.2): authors, terms, posts, pages, comments, attachments."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--media-dir", help="A copy of the site's wp-content/uploads folder.")
        parser.add_argument("--dry-run", action="store_true", help="Report what would happen; change nothing.")
        parser.add_argument("--permalinks", help="The WordPress site's permalink structure (default: inferred).")
        parser.add_argument("--no-progress", action="store_true")
        parser.add_argument(
            "--reader-process",
            action=argparse.BooleanOptionalAction,
            default=None,
            help="Read and render the export in a second process while this one writes "
            "(default: for a large export on a machine with more than one core).",
        )

    def handle(
        self, path, media_dir=None, dry_run=False, permalinks=None, no_progress=False, reader_process=None, **options
    ):
        from rich.console import Console
        from rich.progress import Progress
        from rich.table import Table

        console = Console(file=self.stdout, width=120)
        try:
            if no_progress or not console.is_terminal:
                report = import_wxr(
                    path, media_dir=media_dir, dry_run=dry_run, permalinks=permalinks, reader_process=reader_process
                )
            else:
                with Progress(console=console, transient=True) as bar:
                    task = bar.add_task("Importing", total=None)

                    def advance(done, total):
                        bar.update(task, advance=done, total=total)

                    report = import_wxr(
                        path, media_dir=media_dir, dry_run=dry_run, permalinks=permalinks, progress=advance,
                        reader_process=reader_process,
                    )  # fmt: skip
        except FileNotFoundError as error:
            raise CommandError(f"{path}: no such file") from error
        except WXRError as error:
            raise CommandError(f"{path}: {error}; nothing was imported") from error
        title = "Dry run: nothing was changed" if dry_run else f"Imported {report.site_url}"
        table = Table(title=title)
        for column in ("what", "created", "updated", "unchanged", "skipped"):
            table.add_column(column, justify="left" if column == "what" else "right")
        for kind, *counts in report.rows():
            table.add_row(kind, *(str(n) for n in counts))
        console.print(table)
        console.print(f"Permalinks: {report.permalink_structure or '(plain)'} ({report.permalink_source})")
        console.print(f"Time zone: {report.time_zone or 'unknown (kept the site setting)'}")
        if report.attachments_with_sizes or report.featured_images_linked:
            console.print(
                f"Images: {report.attachments_with_sizes} attachments with their sizes, "
                f"{report.featured_images_linked} featured images linked"
            )
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        if report.reader_process_peak_mb is not None:
            console.print(f"Peak memory: {peak:.0f} MB, and {report.reader_process_peak_mb:.0f} MB in the reader process")
        elif not dry_run:
            console.print(f"Peak memory: {peak:.0f} MB")
        for line in report.skipped:
            console.print(f"skipped: {line}", markup=False)
        for line in report.warnings:
            console.print(f"warning: {line}", markup=False)
        if report.unknown_shortcodes:
            names = ", ".join(f"[{name}] ×{n}" for name, n in report.unknown_shortcodes.most_common())
            console.print(f"unknown shortcodes kept as written: {names}", markup=False)
        if report.missing_media:
            console.print(f"{len(report.missing_media)} media files not copied (original URLs kept):", markup=False)
            for url in report.missing_media[:50]:
                console.print(f"  {url}", markup=False)
