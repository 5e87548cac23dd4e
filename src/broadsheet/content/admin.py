"""Django's admin, for site administrators (writers get the desk)."""

from django.contrib import admin

from broadsheet.content.models import Author, Category, MenuItem, Page, Post, PostAuthor, SiteSettings, Tag


@admin.register(SiteSettings)
class SiteSettingsAdmin(admin.ModelAdmin):
    list_display = ("title", "tagline", "time_zone", "permalink_structure")
    exclude = ("content_version",)

    def has_add_permission(self, request):
        return not SiteSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


class PostAuthorInline(admin.TabularInline):
    model = PostAuthor
    extra = 1
    ordering = ("position",)
    autocomplete_fields = ("author",)


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ("title", "status", "published_at", "sticky")
    list_filter = ("status", "sticky", "categories")
    search_fields = ("title", "slug")
    date_hierarchy = "published_at"
    filter_horizontal = ("categories", "tags")
    inlines = (PostAuthorInline,)
    readonly_fields = ("created_at",)


@admin.register(Page)
class PageAdmin(admin.ModelAdmin):
    list_display = ("title", "path", "status", "menu_order")
    list_filter = ("status",)
    search_fields = ("title", "path")


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ("display_name", "slug", "login", "email")
    search_fields = ("display_name", "slug", "login")


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "path")
    search_fields = ("name", "slug")


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name", "slug")


@admin.register(MenuItem)
class MenuItemAdmin(admin.ModelAdmin):
    list_display = ("menu", "label", "url", "position")
    list_filter = ("menu",)
