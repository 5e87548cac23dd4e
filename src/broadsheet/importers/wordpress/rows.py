"""Plain INSERTs for the import's biggest tables (comments and their records).

``QuerySet.bulk_create`` compiles a placeholder for every value and runs each field's save
hooks for each object; for the 100,000 comments of a large export that was a tenth of the
import. :class:`RowWriter` writes rows given as ``{attname: value}`` with one prepared
statement (``executemany``): fields a row leaves out get their default as the model's
constructor would give it, and only values the database cannot take as they are (dates,
IP addresses, JSON...) go through the field's ``get_db_prep_save``.

Rows carry their primary key (the import keeps WordPress's IDs), or leave it to the database
(``with_key=False``: link rows, whose keys the import never reads). No ``post_save`` is sent.
"""

from __future__ import annotations

import functools

from django.db import connection, models
from django.utils import timezone

# Fields whose database value is the Python value itself when that is a str, int, bool or None.
_PLAIN_FIELDS = {
    models.AutoField, models.BigAutoField, models.BigIntegerField, models.BooleanField, models.CharField,
    models.EmailField, models.ForeignKey, models.IntegerField, models.OneToOneField, models.PositiveIntegerField,
    models.PositiveSmallIntegerField, models.SlugField, models.SmallIntegerField, models.TextField, models.URLField,
}  # fmt: skip
_PLAIN_VALUES = (str, int, bool, type(None))


class RowWriter:
    """Insert rows of ``model`` given as dicts of attribute names (``post_id``, not ``post``) to values."""

    def __init__(self, model: type[models.Model], *, with_key: bool = True):
        pk = model._meta.pk
        self.with_key = with_key
        self.fields = [field for field in model._meta.concrete_fields if with_key or field is not pk]
        columns = ", ".join(connection.ops.quote_name(field.column) for field in self.fields)
        placeholders = ", ".join(["%s"] * len(self.fields))
        self.sql = f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({columns}) VALUES ({placeholders})"
        self.plain = [type(field) in _PLAIN_FIELDS for field in self.fields]

    def _default(self, field: models.Field):
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            return timezone.now()
        return field.get_default()

    def insert_objects(self, objects: list[models.Model]) -> None:
        """Insert model instances as they are; with their keys, they count as saved afterwards."""
        self.insert([{field.attname: getattr(obj, field.attname) for field in self.fields} for obj in objects])
        if self.with_key:
            for obj in objects:
                obj._state.adding, obj._state.db = False, connection.alias

    def insert(self, rows: list[dict]) -> None:
        if not rows:
            return
        values = []
        for row in rows:
            line = []
            for field, plain in zip(self.fields, self.plain):
                value = row[field.attname] if field.attname in row else self._default(field)
                if not (plain and isinstance(value, _PLAIN_VALUES)):
                    value = field.get_db_prep_save(value, connection)
                line.append(value)
            values.append(line)
        with connection.cursor() as cursor:
            cursor.executemany(self.sql, values)


@functools.cache
def writer(model: type[models.Model], *, with_key: bool = True) -> RowWriter:
    """Return the (shared) writer of ``model``'s rows."""
    return RowWriter(model, with_key=with_key)
