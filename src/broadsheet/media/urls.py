"""The media library under /desk/media/."""

app_name = "media"

urlpatterns = []
