"""SQLite FTS5 backend.

``search_fts`` is an external-content FTS5 table over ``search_searchdocument``
kept in step by triggers (migration 0002). Every term is sent as a quoted
FTS5 string, so nothing typed is read as FTS5 syntax.
"""

from __future__ import annotations

from django.db import connection
from django.utils import timezone

from broadsheet.search.backends import MARK_END, MARK_START, RawHit
from broadsheet.search.query import ParsedQuery, Term

CREATE_SQL = [
    """CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(
        title, body, content='search_searchdocument', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER IF NOT EXISTS search_fts_insert AFTER INSERT ON search_searchdocument BEGIN
        INSERT INTO search_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
    END""",
    """CREATE TRIGGER IF NOT EXISTS search_fts_delete AFTER DELETE ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);
    END""",
    """CREATE TRIGGER IF NOT EXISTS search_fts_update AFTER UPDATE ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);
        INSERT INTO search_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
    END""",
    "INSERT INTO search_fts(search_fts) VALUES ('rebuild')",
]
DROP_SQL = [
    "DROP TRIGGER IF EXISTS search_fts_insert",
    "DROP TRIGGER IF EXISTS search_fts_delete",
    "DROP TRIGGER IF EXISTS search_fts_update",
    "DROP TABLE IF EXISTS search_fts",
]


def _fts_term(term: Term) -> str:
    # Words are \w+ runs, so they never contain a double quote.
    quoted = '"' + " ".join(term.words) + '"'
    return quoted + "*" if term.prefix else quoted


def build_match(query: ParsedQuery) -> str:
    return " ".join(_fts_term(term) for term in query.terms)


def search(query: ParsedQuery, *, limit: int, offset: int) -> tuple[int, list[RawHit]]:
    match = build_match(query)
    now = timezone.now()
    where = """search_fts MATCH %s AND d.listed AND d.published_at <= %s"""
    base = "FROM search_fts JOIN search_searchdocument d ON d.id = search_fts.rowid WHERE " + where
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) " + base, [match, now])
        (total,) = cursor.fetchone()
        cursor.execute(
            "SELECT d.kind, d.object_id,"
            " highlight(search_fts, 0, %s, %s),"
            " snippet(search_fts, 1, %s, %s, '…', 32) "
            + base
            + " ORDER BY bm25(search_fts, 10.0, 1.0), d.published_at DESC LIMIT %s OFFSET %s",
            [MARK_START, MARK_END, MARK_START, MARK_END, match, now, limit, offset],
        )
        rows = cursor.fetchall()
    return total, [RawHit(kind, object_id, title, snippet) for kind, object_id, title, snippet in rows]
