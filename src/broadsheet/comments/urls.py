"""The public comment form's target and the moderation queue under /desk/comments/."""

from django.urls import path

from broadsheet.comments import queue, views

app_name = "comments"

urlpatterns = [
    path("comments/post/", views.post_comment, name="post"),
    path("wp-comments-post.php", views.post_comment, name="post_wordpress"),  # old themes' forms and links
    path("comments/stamp/", views.form_stamp, name="stamp"),
    path("desk/comments/", queue.queue, name="queue"),
    path("desk/comments/bulk/", queue.bulk_action, name="bulk"),
    path("desk/comments/<int:pk>/edit/", queue.edit, name="edit"),
    path("desk/comments/<int:pk>/reply/", queue.reply, name="reply"),
    path("desk/comments/<int:pk>/<slug:action>/", queue.action, name="action"),
]
