"""The editor for posts and pages, and the small endpoints its script uses.

Every view checks permission before reading the form: ``editing.check_may_open`` for the
entry, ``editing.check_action`` for the button pressed (a contributor pressing Publish gets a
403). The endpoints (live preview, autosave, slug, tags) answer the script and are checked the
same way; without JavaScript the editor works through its own submit buttons.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import ProtectedError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from broadsheet.accounts.authors import ensure_author
from broadsheet.accounts.capabilities import (
    Capability,
    can_delete_entry,
    can_publish_entry,
    require,
)
from broadsheet.content.models import Author, BodyFormat, Page, Post, Status, Tag
from broadsheet.content.models.entries import LIVE_STATUSES
from broadsheet.content.slugs import slugify_title, unique_slug
from broadsheet.desk import editing, previews
from broadsheet.desk.forms.entries import ACTIONS, BODY_MAX_LENGTH, EXCERPT_MAX_LENGTH, PageForm, PostForm
from broadsheet.desk.kinds import POSTS
from broadsheet.desk.models import TEXT_FIELDS
from broadsheet.desk.revisions import newer_autosave, revisions_of, store_autosave

AUTHOR_SUGGESTIONS = 500
TAG_SUGGESTIONS = 20


def _form_class(kind):
    return PostForm if kind is POSTS else PageForm


def get_entry(kind, pk):
    """Return the post or page ``pk`` (404 if there is none), with what the editor shows; None for a new one."""
    if pk is None:
        return None
    queryset = kind.model.objects.all()
    queryset = queryset.for_listing() if kind is POSTS else queryset.select_related("author", "parent")
    return get_object_or_404(queryset, pk=pk)


def _new_entry(kind, request):
    site = request.site
    if kind is POSTS:
        return Post(comment_status=site.default_comment_status)
    return Page(comment_status=site.default_comment_status, author=ensure_author(request.user))


def _new_initial(kind, user) -> dict:
    author = ensure_author(user)  # the writer's public identity (never their login), made on first use
    return {"authors": author.slug} if kind is POSTS else {"author": author.slug}


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def edit(request, kind, pk=None):
    """Open (GET) or save (POST, with the pressed button's ``action``) a post or page."""
    user = request.user
    entry = get_entry(kind, pk) or _new_entry(kind, request)
    editing.check_may_open(user, entry)
    initial = _new_initial(kind, user) if entry.pk is None else {}
    if request.method != "POST":
        autosave = newer_autosave(entry, kind.name, user)
        if autosave is not None and request.GET.get("restore") == "autosave":
            initial.update({name: getattr(autosave, name) for name in TEXT_FIELDS})
            messages.info(request, "The autosave is in the editor below: save to keep it.")
            autosave = None
        form = _form_class(kind)(entry=entry, user=user, site=request.site, initial=initial)
        return _editor_response(request, kind, form, autosave=autosave)

    action = request.POST.get("action", "")
    if action not in ACTIONS:
        return problem(request, "Unknown action", "Use one of the editor's buttons to save.", status=400)
    if action != "preview":
        editing.check_action(user, entry, action, request.POST)
    form = _form_class(kind)(request.POST, entry=entry, user=user, site=request.site, action=action, initial=initial)
    if not form.is_valid():
        return _editor_response(request, kind, form, status=400)
    if action == "preview":
        html = previews.render_preview(
            kind.model, body=form.cleaned_data["body"], body_format=form.cleaned_data["body_format"],
            raw_html=bool(form.cleaned_data.get("allow_raw_html")), user=user, pk=entry.pk,
        )  # fmt: skip
        return _editor_response(request, kind, form, preview_html=html)
    result = editing.save_entry(form, action)
    messages.success(request, _saved_message(result.entry, action, result.created))
    for note in result.notes:
        messages.info(request, note)
    return redirect(kind.url_name("edit"), pk=result.entry.pk)


def _saved_message(entry, action: str, created: bool) -> str:
    label = "Post" if isinstance(entry, Post) else "Page"
    if entry.status == Status.SCHEDULED:
        when = timezone.localtime(entry.published_at).strftime("%Y-%m-%d %H:%M")
        return f"{label} scheduled for {when} ({timezone.get_current_timezone_name()})."
    return {
        "draft": f"{label} saved as a draft.",
        "pending": f"{label} submitted for review.",
        "publish": f"{label} published.",
    }.get(action, f"{label} {'created' if created else 'updated'}.")


def available_actions(user, entry) -> list[tuple[str, str]]:
    """Return the editor's buttons for ``entry``, as (action, label), the main one last."""
    if entry.pk is not None and entry.status in LIVE_STATUSES:
        return [("draft", "Switch to draft"), ("update", "Update")]
    actions = [("draft", "Save draft")]
    if entry.status == Status.PENDING:
        actions = [("draft", "Save as draft"), ("pending", "Save as pending")]
    elif entry.status == Status.PRIVATE:
        actions.append(("update", "Update"))
    if can_publish_entry(user, entry):
        return actions + [("schedule", "Schedule"), ("publish", "Publish")]
    if entry.status != Status.PENDING:
        actions.append(("pending", "Submit for review"))
    return actions


def _editor_response(request, kind, form, *, status=200, autosave=None, preview_html=None):
    user, entry = request.user, form.entry
    context = {
        "kind": kind,
        "form": form,
        "entry": entry,
        "is_new": entry.pk is None,
        "actions": available_actions(user, entry),
        "autosave": autosave,
        "preview_html": preview_html,
        "can_delete": entry.pk is not None and can_delete_entry(user, entry),
        "status_label": Status(entry.status).label if entry.pk is not None else "New",
        "is_live": entry.pk is not None and entry.is_live,
        "revision_count": revisions_of(entry).count() if entry.pk is not None else 0,
        "authors": Author.objects.only("slug", "display_name")[:AUTHOR_SUGGESTIONS],
        "site_zone": request.site.time_zone,
    }
    if entry.pk is not None and previews.can_share_preview(entry):
        path, expires = previews.make_preview_link(entry)
        context["preview_link"] = request.build_absolute_uri(path)
        context["preview_link_expires"] = expires
    return TemplateResponse(request, "desk/editor.html", context, status=status)


def problem(request, title: str, message: str, *, status: int):
    """Answer a request the desk cannot carry out with a page that says why."""
    return TemplateResponse(request, "desk/problem.html", {"title": title, "message": message}, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def delete(request, kind, pk):
    """Confirm (GET), then delete (POST) a post or page."""
    entry = get_entry(kind, pk)
    require(request.user, kind.capability)
    if not can_delete_entry(request.user, entry):
        raise PermissionDenied(f"You may not delete this {kind.label}.")
    children = entry.children.count() if isinstance(entry, Page) else 0
    context = {"kind": kind, "entry": entry, "children": children}
    if request.method != "POST":
        return TemplateResponse(request, "desk/entry_delete.html", context)
    if children:  # pages below it would lose their parent (WordPress moves them up; here the writer decides)
        return TemplateResponse(request, "desk/entry_delete.html", context, status=409)
    title = entry.title or "(no title)"
    try:
        entry.delete()
    except ProtectedError:
        return problem(request, "Not deleted", "Something still refers to it.", status=409)
    messages.success(request, f"Deleted “{title}”.")
    return redirect(kind.list_url_name)


# -- the editor's endpoints --------------------------------------------------------------------


class _TextForm(forms.Form):
    """The text an autosave or a live preview carries."""

    title = forms.CharField(max_length=1000, required=False)
    slug = forms.CharField(max_length=200, required=False)
    body = forms.CharField(max_length=BODY_MAX_LENGTH, required=False, strip=False)
    body_format = forms.ChoiceField(choices=BodyFormat.choices, required=False)
    excerpt = forms.CharField(max_length=EXCERPT_MAX_LENGTH, required=False)
    allow_raw_html = forms.BooleanField(required=False)

    def clean_body_format(self):
        return self.cleaned_data["body_format"] or BodyFormat.MARKDOWN


@login_required
@require_POST
def live_preview(request, kind, pk=None):
    """Return the body rendered as readers will see it (an HTML fragment for the editor's preview)."""
    require(request.user, kind.capability)
    entry = get_entry(kind, pk)
    if entry is not None:
        editing.check_may_open(request.user, entry)
    form = _TextForm(request.POST)
    if not form.is_valid():
        return HttpResponse(_first_error(form), status=400, content_type="text/plain; charset=utf-8")
    html = previews.render_preview(
        kind.model, body=form.cleaned_data["body"], body_format=form.cleaned_data["body_format"],
        raw_html=form.cleaned_data["allow_raw_html"], user=request.user, pk=pk,
    )  # fmt: skip
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def autosave(request, kind, pk=None):
    """Keep what the writer is typing as their autosave; the entry itself does not change."""
    require(request.user, kind.capability)
    entry = get_entry(kind, pk)
    if entry is not None:
        editing.check_may_open(request.user, entry)
    form = _TextForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"saved": False, "error": _first_error(form)}, status=400)
    text = dict(form.cleaned_data)
    text["slug"] = slugify_title(text["slug"])
    revision = store_autosave(entry, kind.name, request.user, text)
    if revision is None:
        return JsonResponse({"saved": False, "message": "No changes to autosave."})
    when = timezone.localtime(revision.created_at)
    return JsonResponse({"saved": True, "at": when.isoformat(), "message": f"Autosaved at {when:%H:%M:%S}."})


def _first_error(form) -> str:
    for name, errors in form.errors.items():
        return f"{name}: {errors[0]}"
    return "Invalid input."


@login_required
@require_safe
def slug_suggestion(request, kind):
    """Return the slug the entry would get for ``?title=`` (unique, with "-2" suffixes, as saving would)."""
    require(request.user, kind.capability)
    title = request.GET.get("title", "")[:1000]
    pk = _int_or_none(request.GET.get("id"))
    slug = slugify_title(request.GET.get("slug", "")[:200]) or slugify_title(title)
    if not slug:
        return JsonResponse({"slug": ""})
    entry = kind.model(pk=pk)
    if kind is not POSTS:
        entry.parent_id = _int_or_none(request.GET.get("parent"))
    unique = unique_slug(entry.slug_scope(), slug, exclude_pk=pk, reserved=entry.reserved_slugs())
    return JsonResponse({"slug": unique})


def _int_or_none(value) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 19 else None


@login_required
@require_safe
def tag_suggestions(request):
    """Return up to 20 tag names for ``?q=`` (those starting with it first)."""
    require(request.user, Capability.EDIT_POSTS)
    query = " ".join(request.GET.get("q", "")[:200].split())
    if not query:
        return JsonResponse({"tags": []})
    names = list(Tag.objects.filter(name__istartswith=query).values_list("name", flat=True)[:TAG_SUGGESTIONS])
    if len(names) < TAG_SUGGESTIONS:
        more = Tag.objects.filter(name__icontains=query).exclude(name__in=names)
        names += list(more.values_list("name", flat=True)[: TAG_SUGGESTIONS - len(names)])
    return JsonResponse({"tags": names})

