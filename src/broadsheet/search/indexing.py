"""Keep the search documents in step with posts and pages."""

from broadsheet.content.models import Page, Post
from broadsheet.search.models import SearchDocument


def kind_of(entry) -> str:
    return "post" if isinstance(entry, Post) else "page"


def index_entry(entry, *, created: bool = False) -> None:
    listed = entry.status in ("publish", "future") and not entry.password and entry.published_at is not None
    fields = {"title": entry.title, "body": entry.plain_text, "published_at": entry.published_at, "listed": listed}
    # update-then-insert: one query for an edit, two for a new entry, no savepoint (imports save thousands).
    documents = SearchDocument.objects.filter(kind=kind_of(entry), object_id=entry.pk)
    if created or not documents.update(**fields):
        SearchDocument.objects.create(kind=kind_of(entry), object_id=entry.pk, **fields)


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
