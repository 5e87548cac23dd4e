from django.contrib import admin

from broadsheet.media.models import MediaItem


@admin.register(MediaItem)
class MediaItemAdmin(admin.ModelAdmin):
    """Details only: files enter through the library (/desk/media/), where they are checked and cleaned."""

    list_display = ("title", "file", "original_url", "mime_type", "uploaded_by", "uploaded_at")
    list_filter = ("mime_type",)
    search_fields = ("title", "caption", "alt_text", "original_name")
    raw_id_fields = ("parent_post", "parent_page", "uploaded_by")
    readonly_fields = ("file", "mime_type", "width", "height", "file_size", "original_name", "sizes")

    def has_add_permission(self, request):
        return False
