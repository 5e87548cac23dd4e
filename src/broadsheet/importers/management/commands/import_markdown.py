from django.core.management.base import BaseCommand, CommandError

from broadsheet.importers.markdown.frontmatter import InvalidFrontMatterError
from broadsheet.importers.markdown.load import import_markdown


class Command(BaseCommand):
    help = "Import a folder of Markdown posts with front matter (Jekyll, Hugo, Pelican)."

    def add_arguments(self, parser):
        parser.add_argument("directory", help="The folder to import; Markdown files under it are read.")
        parser.add_argument("--dry-run", action="store_true", help="Report what would change and change nothing.")

    def handle(self, directory, dry_run=False, **options):
        try:
            report = import_markdown(directory, dry_run=dry_run)
        except InvalidFrontMatterError as error:
            count = len({problem.path for problem in error.problems})
            raise CommandError(
                f"Nothing was imported: {count} file(s) have bad front matter.\n{error}"
            ) from error
        except OSError as error:
            raise CommandError(str(error)) from error
        if report.files:
            width = max(len(item.action) for item in report.files)
            key_width = min(max(len(item.key) for item in report.files), 60)
            self.stdout.write(f"{'Action':<{width}}  {'File':<{key_width}}  Title")
            for item in report.files:
                self.stdout.write(f"{item.action:<{width}}  {item.key:<{key_width}}  {item.title}")
        if report.dry_run:
            self.stdout.write(
                f"Dry run, nothing written: would create {report.created}, update {report.updated}, "
                f"leave {report.unchanged} unchanged."
            )
        else:
            self.stdout.write(
                f"Created {report.created}, updated {report.updated}, unchanged {report.unchanged}."
            )
