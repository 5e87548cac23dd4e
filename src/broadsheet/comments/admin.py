from django.contrib import admin

from broadsheet.comments.models import Comment


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ("author_name", "post", "status", "kind", "created_at")
    list_filter = ("status", "kind")
    search_fields = ("author_name", "author_email", "body")
    raw_id_fields = ("post", "page", "parent")
