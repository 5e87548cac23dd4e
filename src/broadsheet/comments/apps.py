from django.apps import AppConfig


class CommentsConfig(AppConfig):
    name = "broadsheet.comments"
    label = "comments"

    def ready(self):
        from broadsheet.comments import signals  # noqa: F401  (connects the receivers)
