from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "broadsheet.search"
    label = "search"

    def ready(self):
        from broadsheet.search import signals  # noqa: F401  (connects receivers)
