"""The media library's views, under /desk/media/: thin, each one checks the capability it needs.

Every view needs ``upload_files`` (authors, editors, administrators; contributors get 403).
Changing or deleting an item needs ``can_edit_media``/``can_delete_media``: authors their
own uploads, editors everyone's.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from broadsheet.accounts.capabilities import Capability, can_delete_media, can_edit_media, require
from broadsheet.media.filetypes import ALLOWED_TYPES
from broadsheet.media.forms import MediaItemForm
from broadsheet.media.models import KINDS, MediaItem
from broadsheet.media.snippets import Snippets, insert_snippets
from broadsheet.media.uploads import UploadRefused, accept_upload, oversize_message, upload_limit_text
from broadsheet.media.usage import entries_showing, refresh_entries

ITEMS_PER_PAGE = 40
IMAGES_PER_PAGE = 50
_ACCEPT = ",".join(sorted({t.mime_type for t in ALLOWED_TYPES} | {"." + t.extension for t in ALLOWED_TYPES}))


@dataclass(frozen=True)
class LibraryEntry:
    item: MediaItem
    size_text: str
    can_edit: bool
    can_delete: bool
    snippets: Snippets


def _entry(user, item: MediaItem) -> LibraryEntry:
    size = item.stored_size
    return LibraryEntry(
        item=item,
        size_text=filesizeformat(size) if size is not None else "",
        can_edit=can_edit_media(user, item),
        can_delete=can_delete_media(user, item),
        snippets=insert_snippets(item),
    )


@login_required
@require_safe
def library(request):
    require(request.user, Capability.UPLOAD_FILES)
    return _library_response(request)


def _library_response(request, *, errors=(), status=200):
    kind = request.GET.get("type", "")
    kind = kind if kind in KINDS else ""
    items = MediaItem.objects.of_kind(kind).select_related("uploaded_by")
    page = Paginator(items, ITEMS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page_obj": page,
        "entries": [_entry(request.user, item) for item in page.object_list],
        "kind": kind,
        "kinds": KINDS,
        "errors": list(errors),
        "accept": _ACCEPT,
        "upload_limit": upload_limit_text(),
        "accepted_types": ", ".join(t.label for t in ALLOWED_TYPES),
    }
    return TemplateResponse(request, "media/library.html", context, status=status)


@login_required
@require_POST
def upload(request):
    """Store each uploaded file that passes the checks; list the refusals with their reasons."""
    require(request.user, Capability.UPLOAD_FILES)
    files = request.FILES.getlist("files")  # parses the body: oversize files are noted while streaming
    errors = [oversize_message(name) for name in getattr(request, "oversize_uploads", [])]
    if not files and not errors:
        errors.append("Choose one or more files to upload.")
    for uploaded in files:
        try:
            item = accept_upload(uploaded, user=request.user)
        except UploadRefused as refusal:
            errors.append(str(refusal))
        else:
            messages.success(request, f"Uploaded {item.original_name} as {item.file.name}.")
    if errors:
        return _library_response(request, errors=errors, status=400)
    return redirect("media:library")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def edit(request, pk: int):
    require(request.user, Capability.UPLOAD_FILES)
    item = get_object_or_404(MediaItem.objects.select_related("uploaded_by"), pk=pk)
    if not can_edit_media(request.user, item):
        raise PermissionDenied("You may change only your own uploads.")
    form = MediaItemForm(request.POST if request.method == "POST" else None, instance=item)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            refreshed = refresh_entries(entries_showing(item)) if "alt_text" in form.changed_data else 0
        messages.success(request, "Saved." + _updated_entries_text(refreshed))
        return redirect("media:edit", pk=item.pk)
    status = 400 if request.method == "POST" else 200
    context = {"entry": _entry(request.user, item), "form": form}
    return TemplateResponse(request, "media/edit.html", context, status=status)


def _updated_entries_text(count: int) -> str:
    if not count:
        return ""
    return " 1 entry shows it and was updated." if count == 1 else f" {count} entries show it and were updated."


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def delete(request, pk: int):
    require(request.user, Capability.UPLOAD_FILES)
    item = get_object_or_404(MediaItem, pk=pk)
    if not can_delete_media(request.user, item):
        raise PermissionDenied("You may delete only your own uploads.")
    if request.method == "POST":
        name = item.title or item.file.name
        with transaction.atomic():
            showing = entries_showing(item)
            item.delete()
            refresh_entries(showing)  # featured images were unset by the database: tell whoever listens
        messages.success(request, f"Deleted {name}.")
        return redirect("media:library")
    context = {"entry": _entry(request.user, item), "featured_in": item.featured_in.count()}
    return TemplateResponse(request, "media/delete.html", context)


@login_required
@require_safe
def images_json(request):
    """List images for the editor's picker: id, title, url, alt, thumbnail; newest first, ``?q=`` filters titles."""
    require(request.user, Capability.UPLOAD_FILES)
    images = MediaItem.objects.of_kind("image")
    query = request.GET.get("q", "")[:200].strip()
    if query:
        images = images.filter(title__icontains=query)
    page = Paginator(images, IMAGES_PER_PAGE).get_page(request.GET.get("page"))
    data = {
        "images": [
            {
                "id": item.pk,
                "title": item.title,
                "url": item.url,
                "alt": item.alt_text,
                "thumbnail": item.thumbnail_url,
                "width": item.width,
                "height": item.height,
                "sizes": {name: {k: size[k] for k in ("url", "width", "height")} for name, size in item.sizes.items()},
            }
            for item in page.object_list
        ],
        "next": _next_page_url(page, query),
    }
    return JsonResponse(data)


def _next_page_url(page, query: str) -> str | None:
    if not page.has_next():
        return None
    parameters = {"page": page.next_page_number(), **({"q": query} if query else {})}
    return reverse("media:images_json") + "?" + urlencode(parameters)
