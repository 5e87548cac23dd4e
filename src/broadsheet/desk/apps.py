from django.apps import AppConfig


class DeskConfig(AppConfig):
    name = "broadsheet.desk"
    verbose_name = "Writing desk"
