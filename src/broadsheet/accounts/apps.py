from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "broadsheet.accounts"
    label = "accounts"

    def ready(self):
        from django.contrib import admin
        from django.contrib.auth.signals import user_logged_in

        from broadsheet.accounts.authors import ensure_author_at_sign_in
        from broadsheet.accounts.views.signin import admin_login_redirect

        user_logged_in.connect(ensure_author_at_sign_in, dispatch_uid="broadsheet.accounts.ensure_author")
        # The admin site's own sign-in form would skip the throttle and the two-factor step:
        # it sends people to ours instead (AdminSite.get_urls binds self.login when the URLconf loads).
        admin.site.login = admin_login_redirect
