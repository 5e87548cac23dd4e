"""Keep the search documents in step with posts and pages."""

from broadsheet.content.models import Page, Post
from broadsheet.search.models import SearchDocument


def kind_of(entry) -> str:
    return "post" if isinstance(entry, Post) else "page"


def _document_fields(entry) -> dict:
    listed = entry.status in ("publish", "future") and not entry.password and entry.published_at is not None
    return {"title": entry.title, "body": entry.plain_text, "published_at": entry.published_at, "listed": listed}


def index_entry(entry, *, created: bool = False) -> None:
    fields = _document_fields(entry)
    # update-then-insert: one query for an edit, two for a new entry, no savepoint (imports save thousands).
    documents = SearchDocument.objects.filter(kind=kind_of(entry), object_id=entry.pk)
    if created or not documents.update(**fields):
        SearchDocument.objects.create(kind=kind_of(entry), object_id=entry.pk, **fields)


def index_new_entries(entries) -> None:
    """Write, in one statement, the documents of new entries inserted in bulk (which sends no ``post_save``)."""
    SearchDocument.objects.bulk_create(
        SearchDocument(kind=kind_of(entry), object_id=entry.pk, **_document_fields(entry)) for entry in entries
    )


def unindex_entry(entry) -> None:
    SearchDocument.objects.filter(kind=kind_of(entry), object_id=entry.pk).delete()


def rebuild_index() -> int:
    """Rebuild every document; return how many were written."""
    SearchDocument.objects.all().delete()
    count = 0
    for model in (Post, Page):
        for entry in model.objects.iterator(chunk_size=500):
            index_entry(entry)
            count += 1
    return count
