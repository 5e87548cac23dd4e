"""The commands' shortcut past ``migrate``: taken only when every migration on disk is recorded as applied."""

from __future__ import annotations

import pytest
from django.db import connection

from broadsheet.cli import _migrations_applied


@pytest.mark.django_db
def test_a_migrated_database_needs_no_migrate():
    assert _migrations_applied()


@pytest.mark.django_db
def test_one_unrecorded_migration_means_migrate_runs():
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM django_migrations WHERE app = 'content' AND name LIKE '0001%'")
    assert not _migrations_applied()


@pytest.mark.django_db
def test_a_database_without_the_migrations_table_means_migrate_runs(monkeypatch):
    def no_table(*args, **kwargs):
        from django.db import OperationalError

        raise OperationalError("no such table: django_migrations")

    monkeypatch.setattr(connection, "cursor", no_table)
    assert not _migrations_applied()
