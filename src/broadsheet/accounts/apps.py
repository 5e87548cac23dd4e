from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "broadsheet.accounts"
    label = "accounts"
