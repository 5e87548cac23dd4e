from django.apps import AppConfig


class ArchivesConfig(AppConfig):
    name = "broadsheet.archives"
    label = "archives"
