"""The uncached read path's queries, compiled to SQL once per process.

Building a queryset and compiling it (filters, lookups, joins, ordering) costs
more Python than SQLite takes to run the query: on the home page, a month
archive or a post, about half of an uncached request went to Django building
the same few queries again on every request, and to ``prefetch_related``
building a queryset per relation.

A ``PreparedQuery`` builds its queryset once, with stand-in values for the
parameters that change between requests (the time, a slug, post ids), keeps
the compiled SQL and the compiler's description of the columns, and for each
run puts the real values in the stand-ins' places and turns the rows into
model instances as Django's ``ModelIterable`` does (same converters, same
constructor and ``_state`` as ``from_db``, same ``select_related`` populators,
same annotations). The SQL is the ORM's own, so it stays right on every
database backend Django supports (its tests pass on SQLite, and on PostgreSQL with DATABASE_URL set); a
stand-in the compiled parameters do not show verbatim is an error at
preparation, never a wrong query. Prepared queries are kept per process,
database alias and vendor, and ``key`` (at most ``_CACHE_LIMIT``).

``attach_bylines`` and ``attach_terms`` give posts what ``for_listing()``'s
prefetches give them: ``ordered_authorships`` (one query), and
``post.categories.all()`` and ``post.tags.all()`` answered without a query
(one query for both).
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable

from django.db import connections
from django.db.models import DEFERRED, Model, QuerySet
from django.db.models.query import get_related_populators

_STAND_IN_TIME = datetime.datetime(1901, 2, 3, 4, 5, 6, 789012, tzinfo=datetime.UTC)
_CACHE_LIMIT = 512  # prepared queries kept per process (a few per page shape)


def _stand_in(kind: type, index: int):
    if kind is datetime.datetime:
        return _STAND_IN_TIME + datetime.timedelta(days=index, microseconds=index)
    if kind is int:
        return -7_340_000_000_017 - index
    if kind is str:
        return f"\x1fbroadsheet-stand-in-{index}\x1f"
    raise TypeError(f"no stand-in for {kind!r}")


def _adapter(connection, kind: type) -> Callable:
    if kind is datetime.datetime:
        return connection.ops.adapt_datetimefield_value
    return lambda value: value


class PreparedQuery:
    """One queryset (or several joined with UNION ALL), compiled once, run with new parameter values."""

    def __init__(self, build: Callable[..., QuerySet | list[QuerySet]], params: dict[str, type], using: str):
        stand_ins = {name: _stand_in(kind, index) for index, (name, kind) in enumerate(params.items())}
        built = build(**stand_ins)
        querysets = built if isinstance(built, list) else [built]
        self.db = using
        connection = connections[using]
        parts, compiled_params = [], []
        compilers = []
        for queryset in querysets:
            compiler = queryset.query.get_compiler(using=using)
            sql, part_params = compiler.as_sql()
            parts.append(sql)
            compiled_params.extend(part_params)
            compilers.append(compiler)
        if len(parts) == 1:
            self.sql = parts[0]
        else:  # each part keeps its own ORDER BY and LIMIT inside a subquery
            self.sql = " UNION ALL ".join(f"SELECT * FROM ({sql}) AS part_{n}" for n, sql in enumerate(parts))
        adapted = {}
        for name, value in stand_ins.items():
            adapted[_adapter(connection, params[name])(value)] = name
        self.params = list(compiled_params)
        self.slots = []  # (position in params, parameter name, adapter)
        found = set()
        for position, value in enumerate(compiled_params):
            try:
                name = adapted.get(value)
            except TypeError:  # unhashable: never a stand-in
                continue
            if name is not None:
                self.slots.append((position, name, _adapter(connection, params[name])))
                found.add(name)
        if found != set(params):
            raise ValueError(f"stand-ins not found in the compiled parameters: {sorted(set(params) - found)}")
        compiler = compilers[0]
        self.col_count = compiler.col_count
        self.trim = compiler.has_extra_select
        fields = [column[0] for column in compiler.select[0 : compiler.col_count]]
        self.converters = list(compiler.get_converters(fields).items())
        klass_info = compiler.klass_info
        self.model = None
        if klass_info is not None:
            self.model = klass_info["model"]
            select_fields = klass_info["select_fields"]
            self.start, self.end = select_fields[0], select_fields[-1] + 1
            self.init_list = [column[0].target.attname for column in compiler.select[self.start : self.end]]
            self.related_populators = get_related_populators(klass_info, compiler.select, using)
            self.annotations = list(compiler.annotation_col_map.items())
            # Model.from_db, for a row with deferred fields, works out which field each value is for on every
            # row; worked out here once instead: each concrete field's position in the row, or None (deferred).
            self.positions = None
            if getattr(self.model.from_db, "__func__", None) is Model.from_db.__func__:
                where = {name: self.start + index for index, name in enumerate(self.init_list)}
                positions = [where.get(field.attname) for field in self.model._meta.concrete_fields]
                complete = positions == list(range(self.start, self.end))  # nothing deferred: from_db is direct
                if not complete and len(where) == len(self.init_list) and None not in (where.get(n) for n in where):
                    if set(where) <= {field.attname for field in self.model._meta.concrete_fields}:
                        self.positions = positions

    def rows(self, **values) -> list:
        """Run the query; return its rows with Django's converters applied (lists, not tuples)."""
        params = list(self.params)
        for position, name, adapt in self.slots:
            params[position] = adapt(values[name])
        connection = connections[self.db]
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        if self.trim:
            rows = [row[: self.col_count] for row in rows]
        converters = self.converters
        if not converters:
            return rows
        converted = []
        for row in rows:
            row = list(row)
            for position, (functions, expression) in converters:
                value = row[position]
                for function in functions:
                    value = function(value, expression, connection)
                row[position] = value
            converted.append(row)
        return converted

    def instances(self, **values) -> list:
        """Run the query; return model instances as iterating the queryset would."""
        from_db, db, init_list = self.model.from_db, self.db, self.init_list
        start, end, populators, annotations = self.start, self.end, self.related_populators, self.annotations
        positions, model = self.positions, self.model
        found = []
        for row in self.rows(**values):
            if positions is not None:  # as from_db does, with the deferred fields' places known
                instance = model(*[DEFERRED if position is None else row[position] for position in positions])
                instance._state.adding = False
                instance._state.db = db
            else:
                instance = from_db(db, init_list, row[start:end])
            for populator in populators:
                populator.populate(row, instance)
            for name, position in annotations:
                setattr(instance, name, row[position])
            found.append(instance)
        return found


_prepared: dict[tuple, PreparedQuery] = {}
_lock = threading.Lock()


def prepared(key: tuple, build: Callable, params: dict[str, type], using: str = "default") -> PreparedQuery:
    """Return the query ``build`` makes, prepared once per process, database and ``key``.

    ``key`` must name everything the SQL depends on besides ``params`` (the
    query's purpose, and any setting or count that changes its shape).
    """
    connection = connections[using]
    full_key = (using, connection.vendor, *key)
    query = _prepared.get(full_key)
    if query is None:
        query = PreparedQuery(build, params, using)
        with _lock:
            if len(_prepared) >= _CACHE_LIMIT:
                _prepared.clear()
            _prepared[full_key] = query
    return query


def clear_prepared() -> None:
    _prepared.clear()


# -- what for_listing()'s prefetches give posts ---------------------------------------------------


def _ids_params(count: int) -> dict[str, type]:
    return {f"id{n}": int for n in range(count)}


def _ids_values(posts) -> dict[str, int]:
    return {f"id{n}": post.pk for n, post in enumerate(posts)}


def attach_bylines(posts: list) -> None:
    """Give each post ``ordered_authorships`` (its authorships in byline order, each with its author): one query.

    An author on several of the posts is one object, as in the static build.
    """
    from broadsheet.content.models import Author, PostAuthor

    posts = [post for post in posts if "ordered_authorships" not in post.__dict__]
    if not posts:
        return
    count = len(posts)
    link_names = [field.attname for field in PostAuthor._meta.concrete_fields]
    author_names = [field.attname for field in Author._meta.concrete_fields]

    def build(**ids):
        return (
            PostAuthor.objects.filter(post_id__in=list(ids.values()))
            .order_by("position")
            .values_list(*link_names, *[f"author__{name}" for name in author_names])
        )

    using = posts[0]._state.db or "default"
    query = prepared(("bylines", count), build, _ids_params(count), using)
    by_post = {post.pk: post for post in posts}
    for post in posts:
        post.ordered_authorships = []
    post_field, author_field = PostAuthor._meta.get_field("post"), PostAuthor._meta.get_field("author")
    authors = {}
    width = len(link_names)
    for row in query.rows(**_ids_values(posts)):
        authorship = PostAuthor.from_db(using, link_names, row[:width])
        author = authors.get(authorship.author_id)
        if author is None:
            author = authors[authorship.author_id] = Author.from_db(using, author_names, row[width:])
        post = by_post[authorship.post_id]
        post_field.set_cached_value(authorship, post)
        author_field.set_cached_value(authorship, author)
        post.ordered_authorships.append(authorship)


def attach_terms(posts: list) -> None:
    """Give each post its categories and tags as ``prefetch_related`` would: one query for both.

    In each kind's own order (categories by path, tags by name, then id), read
    by ``post.categories.all()`` and ``post.tags.all()`` without a query.
    """
    posts = [post for post in posts if not {"categories", "tags"} <= set(getattr(post, "_prefetched_objects_cache", {}))]
    if not posts:
        return
    using = posts[0]._state.db or "default"
    kinds = _term_kinds()
    if kinds is None:  # a model ordering this query does not handle: Django's prefetch
        from django.db.models import prefetch_related_objects

        prefetch_related_objects(posts, "categories", "tags")
        return
    sql = _terms_sql(using, len(posts), kinds)
    found = {(post.pk, index): [] for post in posts for index in range(len(kinds))}
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(sql, [post.pk for post in posts] * len(kinds))
        rows = cursor.fetchall()
    offsets = _term_offsets(kinds)
    for row in rows:
        index, post_id = row[0], row[1]
        _name, model, attnames = kinds[index]
        start = 4 + offsets[index]
        found[(post_id, index)].append(model.from_db(using, attnames, row[start : start + len(attnames)]))
    for post in posts:
        cache = post.__dict__.setdefault("_prefetched_objects_cache", {})
        for index, (name, _model, _attnames) in enumerate(kinds):
            terms = getattr(post, name).all()  # the related manager's queryset, as a prefetch keeps it
            terms._result_cache = found[(post.pk, index)]
            terms._prefetch_done = True
            cache[name] = terms


_kinds: list | None = None


def _term_kinds():
    """(relation name, model, column attnames) for categories and tags; None if an ordering is not one ascending field."""
    global _kinds
    if _kinds is None:
        from broadsheet.content.models import Post

        kinds = []
        for name in ("categories", "tags"):
            model = getattr(Post, name).field.related_model
            ordering = list(model._meta.ordering)
            if len(ordering) != 1 or ordering[0].startswith(("-", "?")) or "__" in ordering[0]:
                return None
            kinds.append((name, model, [field.attname for field in model._meta.concrete_fields]))
        _kinds = kinds
    return _kinds


def _term_offsets(kinds) -> list[int]:
    """Where each kind's columns start in a row of ``_terms_sql`` (after the kind, the post, the sort key, the id)."""
    offsets, offset = [], 0
    for _name, _model, attnames in kinds:
        offsets.append(offset)
        offset += len(attnames)
    return offsets


_terms_sql_cache: dict[tuple, str] = {}


def _terms_sql(using: str, count: int, kinds) -> str:
    connection = connections[using]
    key = (using, connection.vendor, count)
    sql = _terms_sql_cache.get(key)
    if sql is not None:
        return sql
    from broadsheet.content.models import Post

    quote = connection.ops.quote_name
    placeholders = ", ".join(["%s"] * count)
    parts = []
    # Each kind's columns have their own places in the rows (NULL in the others): a column of one
    # kind never shares a place with another's of a different type, which PostgreSQL refuses in a UNION.
    offsets = _term_offsets(kinds)
    width = offsets[-1] + len(kinds[-1][2])
    for index, (name, model, _attnames) in enumerate(kinds):
        m2m = getattr(Post, name).field
        through = m2m.remote_field.through._meta.db_table
        post_column, term_column = m2m.m2m_column_name(), m2m.m2m_reverse_name()
        table = model._meta.db_table
        sort = model._meta.get_field(model._meta.ordering[0]).column
        own = [f"t.{quote(field.column)}" for field in model._meta.concrete_fields]
        columns = ["NULL"] * offsets[index] + own
        columns += ["NULL"] * (width - len(columns))
        parts.append(
            f"SELECT {index}, l.{quote(post_column)}, t.{quote(sort)}, t.{quote(model._meta.pk.column)},"
            f" {', '.join(columns)}"
            f" FROM {quote(through)} l INNER JOIN {quote(table)} t ON t.{quote(model._meta.pk.column)} = l.{quote(term_column)}"
            f" WHERE l.{quote(post_column)} IN ({placeholders})"
        )
    sql = " UNION ALL ".join(parts) + " ORDER BY 1, 2, 3, 4"
    if len(_terms_sql_cache) >= _CACHE_LIMIT:
        _terms_sql_cache.clear()
    _terms_sql_cache[key] = sql
    return sql
