"""The library's forms: an item's details (the upload form is a plain multiple file input)."""

from django import forms

from broadsheet.media.models import MediaItem


class MediaItemForm(forms.ModelForm):
    """Title, alt text, caption and description; every field length-limited."""

    title = forms.CharField(max_length=1000, required=False)
    alt_text = forms.CharField(
        max_length=1000,
        required=False,
        label="Alt text",
        help_text="Describe the image for people who cannot see it; leave empty if it is decoration.",
    )
    caption = forms.CharField(max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    description = forms.CharField(max_length=20000, required=False, widget=forms.Textarea(attrs={"rows": 6}))

    class Meta:
        model = MediaItem
        fields = ["title", "alt_text", "caption", "description"]
