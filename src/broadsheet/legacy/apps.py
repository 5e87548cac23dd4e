from django.apps import AppConfig


class LegacyConfig(AppConfig):
    name = "broadsheet.legacy"
    label = "legacy"
    verbose_name = "Old addresses"
