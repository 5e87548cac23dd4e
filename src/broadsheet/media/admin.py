from django.contrib import admin

from broadsheet.media.models import MediaItem


@admin.register(MediaItem)
class MediaItemAdmin(admin.ModelAdmin):
    list_display = ("title", "file", "original_url", "mime_type", "uploaded_at")
    search_fields = ("title", "caption", "alt_text")
    raw_id_fields = ("parent_post", "parent_page")
