from django.apps import AppConfig


class ThemeConfig(AppConfig):
    name = "broadsheet.theme"
    label = "theme"
