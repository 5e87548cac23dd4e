"""An entry's revisions: the list, the difference between any two, and restoring one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST, require_safe

from broadsheet.desk import editing
from broadsheet.desk.diffs import diff_revisions
from broadsheet.desk.models import Revision
from broadsheet.desk.revisions import MAX_REVISIONS, autosave_of, restore_revision, revisions_of
from broadsheet.desk.views.editor import get_entry, problem


@login_required
@require_safe
def revision_list(request, kind, pk):
    """List the revisions (and the user's autosave); compare ``?old=ID&new=ID`` (default: the latest two)."""
    entry = get_entry(kind, pk)
    editing.check_may_open(request.user, entry)
    revisions = list(revisions_of(entry))
    autosave = autosave_of(entry, kind.name, request.user)
    choices = ([autosave] if autosave else []) + revisions
    by_id = {revision.pk: revision for revision in choices}
    try:
        old_id = _revision_id(request.GET.get("old"))
        new_id = _revision_id(request.GET.get("new"))
    except ValueError:
        return problem(request, "Cannot compare", "Choose two revisions from the list.", status=400)
    if (old_id and old_id not in by_id) or (new_id and new_id not in by_id):
        raise Http404("No such revision of this entry.")
    new = by_id.get(new_id) or (choices[0] if choices else None)
    old = by_id.get(old_id) or next((revision for revision in choices if revision is not new), None)
    if old is not None and new is not None and old.created_at > new.created_at:
        old, new = new, old
    context = {
        "kind": kind,
        "entry": entry,
        "revisions": choices,
        "old": old,
        "new": new,
        "diffs": diff_revisions(old, new) if old is not None and new is not None else [],
        "max_revisions": MAX_REVISIONS,
    }
    return TemplateResponse(request, "desk/revisions.html", context)


def _revision_id(value: str | None) -> int | None:
    if not value:
        return None
    if not value.isdigit() or len(value) > 18:
        raise ValueError(value)
    return int(value)


@login_required
@require_POST
def restore(request, kind, pk, revision_pk):
    """Put a revision's text back into the entry (saved, and recorded as a new revision)."""
    entry = get_entry(kind, pk)
    editing.check_may_open(request.user, entry)
    lookup = {kind.name: entry}
    revision = get_object_or_404(Revision.objects.filter(**lookup).select_related("user"), pk=revision_pk)
    if revision.kind == Revision.Kind.AUTOSAVE and revision.user_id != request.user.pk:
        raise Http404("No such revision of this entry.")
    restore_revision(revision, request.user)
    messages.success(request, "Revision restored.")
    return redirect(kind.url_name("edit"), pk=entry.pk)
