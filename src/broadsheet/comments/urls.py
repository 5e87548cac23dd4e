"""The public comment form's target, and the moderation queue under /desk/comments/."""

app_name = "comments"

urlpatterns = []
