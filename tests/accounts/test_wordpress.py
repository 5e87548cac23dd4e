"""WordPress's /wp-login.php and /wp-admin/ addresses lead to the sign-in page and the desk."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    "path,location",
    [
        ("/wp-login.php", "/accounts/login/"),
        ("/wp-login.php?action=lostpassword", "/accounts/password-reset/"),
        ("/wp-login.php?action=logout", "/accounts/login/"),
        ("/wp-login.php?redirect_to=%2Fwp-admin%2F&reauth=1", "/accounts/login/?next=%2Fdesk%2F"),
        ("/wp-login.php?redirect_to=https%3A%2F%2Fold.example%2Fwp-admin%2Fpost-new.php", "/accounts/login/?next=%2Fdesk%2Fposts%2Fnew%2F"),
        ("/wp-login.php?redirect_to=https%3A%2F%2Felsewhere.example%2F", "/accounts/login/"),
        ("/wp-login.php?redirect_to=%2F%2Felsewhere.example%2F", "/accounts/login/"),
        ("/wp-admin", "/desk/"),
        ("/wp-admin/", "/desk/"),
        ("/wp-admin/index.php", "/desk/"),
        ("/wp-admin/edit.php", "/desk/posts/"),
        ("/wp-admin/edit.php?post_type=page", "/desk/pages/"),
        ("/wp-admin/post-new.php", "/desk/posts/new/"),
        ("/wp-admin/post-new.php?post_type=page", "/desk/pages/new/"),
        ("/wp-admin/upload.php", "/desk/media/"),
        ("/wp-admin/edit-comments.php", "/desk/comments/"),
        ("/wp-admin/users.php", "/desk/users/"),
        ("/wp-admin/profile.php", "/desk/profile/"),
        ("/wp-admin/options-general.php", "/desk/settings/"),
        ("/wp-admin/anything/else.php", "/desk/"),
    ],
)
def test_wordpress_addresses_redirect(site, client, path, location):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == location


def test_wp_admin_then_asks_anonymous_visitors_to_sign_in(site, client):
    response = client.get("/wp-admin/edit.php", follow=True)
    assert response.redirect_chain[-1] == ("/accounts/login/?next=/desk/posts/", 302)
    assert response.status_code == 200


def test_a_post_to_wp_login_does_not_sign_in(site, client):
    response = client.post("/wp-login.php", {"log": "admin", "pwd": "guess"})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
