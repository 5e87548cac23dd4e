from django.apps import AppConfig


class WordPressImporterConfig(AppConfig):
    name = "broadsheet.importers.wordpress"
    label = "wordpress"
    verbose_name = "WordPress import"
