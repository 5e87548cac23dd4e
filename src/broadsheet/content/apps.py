from django.apps import AppConfig


class ContentConfig(AppConfig):
    name = "broadsheet.content"
    label = "content"
    verbose_name = "Content"

    def ready(self):
        from broadsheet.content import signals  # noqa: F401  (connects receivers)
