"""PostgreSQL full-text backend: a weighted tsvector (title A, body B) under a GIN index.

Each term becomes its own tsquery built by PostgreSQL from a parameter
(``plainto_tsquery``, ``phraseto_tsquery``, or a prefix ``word:*`` of \\w
characters only), so nothing typed is read as tsquery syntax.
"""

from __future__ import annotations

from django.db import connection
from django.utils import timezone

from broadsheet.search.backends import MARK_END, MARK_START, RawHit
from broadsheet.search.query import ParsedQuery

CONFIG = "english"
VECTOR_SQL = (
    f"setweight(to_tsvector('{CONFIG}', coalesce(title, '')), 'A') || "
    f"setweight(to_tsvector('{CONFIG}', coalesce(body, '')), 'B')"
)
CREATE_SQL = [
    f"CREATE INDEX IF NOT EXISTS search_document_fts ON search_searchdocument USING gin (({VECTOR_SQL}))",
]
DROP_SQL = ["DROP INDEX IF EXISTS search_document_fts"]


def build_tsquery(query: ParsedQuery) -> tuple[str, list[str]]:
    parts, params = [], []
    for term in query.terms:
        if term.prefix:
            parts.append(f"to_tsquery('{CONFIG}', %s)")
            params.append(term.words[0] + ":*")
        elif term.is_phrase:
            parts.append(f"phraseto_tsquery('{CONFIG}', %s)")
            params.append(" ".join(term.words))
        else:
            parts.append(f"plainto_tsquery('{CONFIG}', %s)")
            params.append(term.words[0])
    return " && ".join(parts), params


def search(query: ParsedQuery, *, limit: int, offset: int) -> tuple[int, list[RawHit]]:
    tsquery, params = build_tsquery(query)
    now = timezone.now()
    options = f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=35, MinWords=15, MaxFragments=2, FragmentDelimiter=\" … \""
    title_options = f"HighlightAll=true, StartSel={MARK_START}, StopSel={MARK_END}"
    matched = (
        f"SELECT d.id, d.kind, d.object_id, d.title, d.body, d.published_at, q.query,"
        f" ts_rank_cd({VECTOR_SQL}, q.query) AS rank"
        f" FROM search_searchdocument d, (SELECT ({tsquery}) AS query) q"
        f" WHERE numnode(q.query) > 0 AND ({VECTOR_SQL}) @@ q.query AND d.listed AND d.published_at <= %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM ({matched}) m", [*params, now])
        (total,) = cursor.fetchone()
        cursor.execute(
            f"SELECT m.kind, m.object_id,"
            f" ts_headline('{CONFIG}', m.title, m.query, %s),"
            f" ts_headline('{CONFIG}', m.body, m.query, %s)"
            f" FROM ({matched} ORDER BY rank DESC, d.published_at DESC LIMIT %s OFFSET %s) m"
            f" ORDER BY m.rank DESC, m.published_at DESC",
            [title_options, options, *params, now, limit, offset],
        )
        rows = cursor.fetchall()
    return total, [RawHit(kind, object_id, title, snippet) for kind, object_id, title, snippet in rows]
