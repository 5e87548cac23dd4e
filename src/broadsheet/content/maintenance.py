"""Keeping the database fast: planner statistics."""

from django.db import connection


def analyze_database() -> None:
    """Refresh the query planner's statistics (SQLite's and PostgreSQL's ``ANALYZE``).

    Without them SQLite picks poor plans for the listing queries on large sites (see
    docs/benchmarks.md); ``serve`` runs this at start and imports run it at the end.
    """
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
