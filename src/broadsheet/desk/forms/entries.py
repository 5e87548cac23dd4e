"""The editor's forms: what a post or page is made of, and only the fields the user's role may set.

Plain forms rather than model forms: the entry's status, slug suffixes, authors and terms are
applied by ``broadsheet.desk.editing`` once the action is known and allowed, and the model's
unique constraints must not turn a taken slug into an error (WordPress adds "-2" instead).
Fields a role may not set are removed, so a crafted POST cannot set them either.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from broadsheet.accounts.capabilities import Capability, has_capability
from broadsheet.content.models import Author, BodyFormat, Category, CommentStatus, Page
from broadsheet.content.slugs import slugify_title
from broadsheet.desk.forms.fields import CommaSeparatedField, SiteDateTimeField
from broadsheet.media.models import MediaItem

BODY_MAX_LENGTH = 1_000_000  # characters; a 10,000-word essay is about 70,000
EXCERPT_MAX_LENGTH = 20_000
MAX_TAGS = 100
MAX_AUTHORS = 20
FEATURED_CHOICES = 200  # newest images offered in the featured-image list (any image is accepted)

# The submit buttons of the editor, WordPress's publishing actions.
ACTIONS = ("draft", "pending", "publish", "schedule", "update", "preview")


class _CategoryChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, category):
        return "— " * category.path.count("/") + category.name


class _PageChoice(forms.ModelChoiceField):
    def label_from_instance(self, page):
        return "— " * page.path.count("/") + (page.title or f"(no title) #{page.pk}")


class _ImageChoice(forms.ModelChoiceField):
    def label_from_instance(self, item):
        return item.title or item.original_name or item.file.name or f"#{item.pk}"


class EntryForm(forms.Form):
    """What posts and pages share."""

    title = forms.CharField(max_length=1000, required=False, widget=forms.TextInput(attrs={"autocomplete": "off"}))
    slug = forms.CharField(
        max_length=200,
        required=False,
        label="Slug",
        help_text="The last part of the address. Empty: made from the title. A slug in use gets “-2”.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    body_format = forms.ChoiceField(choices=BodyFormat.choices, initial=BodyFormat.MARKDOWN, label="Format")
    body = forms.CharField(
        max_length=BODY_MAX_LENGTH,
        required=False,
        strip=False,
        label="Text",
        help_text="Markdown or HTML. Type <!--more--> on a line of its own where the teaser ends (the fold).",
        widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "true"}),
    )
    allow_raw_html = forms.BooleanField(
        required=False,
        label="Publish the HTML unfiltered",
        help_text="Scripts, styles and embeds are kept as written. Only for trusted code.",
    )
    excerpt = forms.CharField(
        max_length=EXCERPT_MAX_LENGTH,
        required=False,
        help_text="A summary for listings, feeds and search engines; empty: the start of the text.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    password = forms.CharField(
        max_length=255,
        required=False,
        help_text="Readers must type it to see the text. Empty: public.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    comment_status = forms.ChoiceField(choices=CommentStatus.choices, label="Comments")

    def __init__(self, data=None, *, entry, user, site, action: str | None = None, initial=None):
        self.entry, self.user, self.site, self.action = entry, user, site, action
        # A bound form shows what was posted: the entry's values are only needed to fill a new form.
        start = {} if data is not None else self.initial_from(entry)
        super().__init__(data, initial={**start, **(initial or {})})
        self.fields["publish_at"] = SiteDateTimeField(
            tzinfo=site.tzinfo,
            required=False,
            label="Publish on",
            help_text=f"In the site’s time zone ({site.time_zone}). Empty: now. A later time: use Schedule.",
        )
        self.order_fields(["title", "slug", "body_format", "body", "allow_raw_html", "excerpt"])
        if not has_capability(user, Capability.UNFILTERED_HTML):
            del self.fields["allow_raw_html"]
        if not self.can_publish:
            del self.fields["publish_at"]

    @property
    def can_publish(self) -> bool:
        from broadsheet.accounts.capabilities import can_publish_entry

        return can_publish_entry(self.user, self.entry)

    def initial_from(self, entry) -> dict:
        """Return the form's initial values for a saved or new ``entry``."""
        initial = {
            name: getattr(entry, name)
            for name in ("title", "slug", "body", "body_format", "allow_raw_html", "excerpt", "password", "comment_status")
        }
        if entry.pk is None:
            initial["comment_status"] = self.site.default_comment_status
        initial["publish_at"] = entry.published_at if entry.pk is not None else None
        return initial

    def clean_slug(self):
        value = self.cleaned_data.get("slug", "")
        slug = slugify_title(value)
        if value.strip() and not slug:
            raise ValidationError("Use letters or digits in the slug.")
        return slug

    def clean(self):
        cleaned = super().clean()
        if "publish_at" not in self.fields or "publish_at" in self.errors or self.action not in ("publish", "schedule"):
            return cleaned
        when, now = cleaned.get("publish_at"), timezone.now()
        if self.action == "schedule" and when is None:
            self.add_error("publish_at", "Choose when to publish.")
        elif self.action == "schedule" and when <= now:
            self.add_error("publish_at", "That time has passed: choose a later one, or Publish now.")
        elif self.action == "publish" and when is not None and when > now:
            self.add_error("publish_at", "That time is still to come: use Schedule, or empty the field to publish now.")
        return cleaned

    # -- writing the values back ------------------------------------------------------------------

    def apply_text(self, entry) -> None:
        """Copy the text fields onto ``entry`` (not saved). Raw HTML stays only for roles allowed it."""
        data = self.cleaned_data
        for name in ("title", "slug", "body", "body_format", "excerpt", "password", "comment_status"):
            setattr(entry, name, data[name])
        entry.allow_raw_html = bool(data.get("allow_raw_html")) and has_capability(self.user, Capability.UNFILTERED_HTML)


class PostForm(EntryForm):
    sticky = forms.BooleanField(required=False, label="Stick to the front page")
    categories = _CategoryChoices(
        queryset=Category.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    new_category = forms.CharField(
        max_length=200, required=False, label="New category", widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    new_category_parent = forms.ModelChoiceField(
        queryset=Category.objects.none(), required=False, label="Parent of the new category", empty_label="(none)"
    )
    tags = CommaSeparatedField(
        max_items=MAX_TAGS,
        label="Tags",
        help_text="Separate tags with commas. New tags are created.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "list": "tag-suggestions", "data-complete": "tags"}),
    )
    authors = CommaSeparatedField(
        max_items=MAX_AUTHORS,
        label="Authors, in byline order",
        help_text="Author slugs separated by commas; the byline follows this order.",
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "list": "author-slugs", "data-complete": "authors"}
        ),
    )
    featured_image = _ImageChoice(queryset=MediaItem.objects.none(), required=False, empty_label="(none)")

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        user = self.user
        categories = Category.objects.order_by("path")
        self.fields["categories"].queryset = categories
        self.fields["new_category_parent"].queryset = categories
        if not has_capability(user, Capability.MANAGE_CATEGORIES):
            del self.fields["new_category"], self.fields["new_category_parent"]
        if not has_capability(user, Capability.EDIT_OTHERS_POSTS):
            del self.fields["sticky"]  # WordPress shows "Stick to the front page" to editors only
        if has_capability(user, Capability.UPLOAD_FILES):
            images = MediaItem.objects.of_kind("image")
            if data is None:  # offer the newest, and the current one; accept any image
                offered = list(images.values_list("pk", flat=True)[:FEATURED_CHOICES])
                if self.entry.featured_image_id:
                    offered.append(self.entry.featured_image_id)
                images = images.filter(pk__in=offered)
            self.fields["featured_image"].queryset = images
        else:
            del self.fields["featured_image"]  # contributors cannot use the media library

    def initial_from(self, entry) -> dict:
        initial = super().initial_from(entry)
        initial["sticky"] = entry.sticky
        initial["featured_image"] = entry.featured_image_id
        if entry.pk is not None:
            initial["categories"] = [category.pk for category in entry.categories.all()]
            initial["tags"] = ", ".join(tag.name for tag in entry.tags.all())
            initial["authors"] = ", ".join(author.slug for author in entry.ordered_authors)
        return initial

    def clean_authors(self):
        slugs = self.cleaned_data["authors"]
        found = {author.slug: author for author in Author.objects.filter(slug__in=slugs)}
        unknown = [slug for slug in slugs if slug not in found]
        if unknown:
            raise ValidationError("No author with the slug %(slugs)s.", params={"slugs": ", ".join(unknown)})
        if not slugs:
            raise ValidationError("A post needs at least one author.")
        authors = [found[slug] for slug in slugs]
        own = getattr(self.user, "author", None)
        if not has_capability(self.user, Capability.EDIT_OTHERS_POSTS) and (own is None or own not in authors):
            raise ValidationError("Keep yourself among the authors: only editors can hand a post over.")
        return authors

    def clean_new_category(self):
        name = " ".join(self.cleaned_data.get("new_category", "").split())
        if name and not slugify_title(name):
            raise ValidationError("Use letters or digits in the category's name.")
        return name


class PageForm(EntryForm):
    parent = _PageChoice(queryset=Page.objects.none(), required=False, empty_label="(no parent)")
    menu_order = forms.IntegerField(
        min_value=-100_000, max_value=100_000, initial=0, label="Order", help_text="Lower numbers come first in menus."
    )
    author = forms.CharField(
        max_length=200,
        required=False,
        label="Author",
        help_text="An author's slug. Empty: no author shown.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "list": "author-slugs"}),
    )

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        pages = Page.objects.order_by("path", "pk").only("pk", "title", "path")
        if self.entry.pk is not None and self.entry.path:
            # Not itself, not below itself: a page cannot be its own ancestor.
            pages = pages.exclude(pk=self.entry.pk).exclude(path__startswith=self.entry.path + "/")
        elif self.entry.pk is not None:
            pages = pages.exclude(pk=self.entry.pk)
        self.fields["parent"].queryset = pages

    def initial_from(self, entry) -> dict:
        initial = super().initial_from(entry)
        initial["parent"] = entry.parent_id
        initial["menu_order"] = entry.menu_order
        initial["author"] = entry.author.slug if entry.author_id else ""
        return initial

    def clean_author(self):
        slug = self.cleaned_data.get("author", "").strip()
        if not slug:
            return None
        author = Author.objects.filter(slug=slug).first()
        if author is None:
            raise ValidationError("No author with the slug %(slug)s.", params={"slug": slug})
        return author
