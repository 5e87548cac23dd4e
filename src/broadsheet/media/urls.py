"""The media library under /desk/media/, and the media store itself under MEDIA_URL (/media/)."""

from django.conf import settings
from django.urls import path

from broadsheet.media import serving, views

app_name = "media"

urlpatterns = [
    path("desk/media/", views.library, name="library"),
    path("desk/media/upload/", views.upload, name="upload"),
    path("desk/media/images.json", views.images_json, name="images_json"),
    path("desk/media/<int:pk>/", views.edit, name="edit"),
    path("desk/media/<int:pk>/delete/", views.delete, name="delete"),
    path(settings.MEDIA_URL.strip("/") + "/<path:path>", serving.serve_media, name="serve"),
]
