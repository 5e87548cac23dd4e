"""The database's own full-text index over search documents."""

from django.db import migrations


def _backend(schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        from broadsheet.search.backends import postgres

        return postgres
    from broadsheet.search.backends import sqlite_fts

    return sqlite_fts


def create_index(apps, schema_editor):
    for statement in _backend(schema_editor).CREATE_SQL:
        schema_editor.execute(statement)


def drop_index(apps, schema_editor):
    for statement in _backend(schema_editor).DROP_SQL:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index)]
