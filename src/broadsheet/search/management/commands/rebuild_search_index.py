from django.core.management.base import BaseCommand

from broadsheet.search.indexing import rebuild_index


class Command(BaseCommand):
    help = "Rebuild the full-text search index from every post and page."

    def handle(self, **options):
        count = rebuild_index()
        self.stdout.write(f"Indexed {count} posts and pages.")
