"""Accounts: signing in and out and password reset under /accounts/, the desk's user pages
(/desk/users/, administrators) and profile (/desk/profile/, everyone), and WordPress's
/wp-login.php and /wp-admin/ addresses. Included at the site's root, before the desk."""

from django.urls import path, re_path

from broadsheet.accounts.views import profile, reset, signin, users, wordpress

app_name = "accounts"

urlpatterns = [
    path("accounts/login/", signin.login_view, name="login"),
    path("accounts/login/code/", signin.login_code, name="login_code"),
    path("accounts/logout/", signin.logout_view, name="logout"),
    path("accounts/password-reset/", reset.password_reset, name="password_reset"),
    path("accounts/password-reset/sent/", reset.password_reset_sent, name="password_reset_sent"),
    path(
        "accounts/password-reset/<uidb64>/<token>/",
        reset.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("accounts/password-reset/done/", reset.password_reset_complete, name="password_reset_complete"),
    path("desk/profile/", profile.profile, name="profile"),
    path("desk/profile/password/", profile.change_password, name="change_password"),
    path("desk/profile/two-factor/", profile.two_factor_settings, name="two_factor"),
    path("desk/users/", users.user_list, name="users"),
    path("desk/users/new/", users.user_new, name="user_new"),
    path("desk/users/<int:pk>/", users.user_edit, name="user_edit"),
    path("desk/users/<int:pk>/active/", users.user_active, name="user_active"),
    path("desk/users/<int:pk>/password-link/", users.user_password_link, name="user_password_link"),
    path("wp-login.php", wordpress.wp_login, name="wp_login"),
    re_path(r"^wp-admin(?:/(?P<rest>.*))?$", wordpress.wp_admin, name="wp_admin"),
]
