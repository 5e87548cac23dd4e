from django.apps import AppConfig


class PublishingConfig(AppConfig):
    name = "broadsheet.publishing"
    label = "publishing"
    verbose_name = "Publishing"

    def ready(self):
        import logging

        from broadsheet.publishing import changes  # noqa: F401  (connects receivers)
        from broadsheet.publishing.render import QuietStoreRenders

        logging.getLogger("django.request").addFilter(QuietStoreRenders())
