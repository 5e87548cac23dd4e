from django.apps import AppConfig


class ImportersConfig(AppConfig):
    name = "broadsheet.importers"
    label = "importers"
