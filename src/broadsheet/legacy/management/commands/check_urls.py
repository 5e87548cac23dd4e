from django.core.management.base import BaseCommand, CommandError

from broadsheet.importers.wordpress.urls_check import check_export
from broadsheet.importers.wordpress.wxr import WXRError


class Command(BaseCommand):
    help = "List every URL a WordPress export implies and what each answers now; fail if any is broken."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--broken-only", action="store_true", help="List only the broken URLs.")

    def handle(self, path, broken_only=False, **options):
        try:
            checks = check_export(path)
        except (OSError, WXRError) as error:
            raise CommandError(f"{path}: {error}") from error
        broken = [check for check in checks if not check.ok]
        for check in checks:
            if broken_only and check.ok:
                continue
            answer = str(check.status) if check.status == check.final_status else f"{check.status} -> {check.final} ({check.final_status or 'external'})"
            self.stdout.write(f"{'ok    ' if check.ok else 'BROKEN'} {check.url}  [{check.why}]  {answer}")
        self.stdout.write(f"{len(checks) - len(broken)} of {len(checks)} old URLs answer.")
        if broken:
            raise CommandError(f"{len(broken)} old URLs are broken.")
