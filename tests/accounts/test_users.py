"""User management under /desk/users/: administrators only, on every method; the last administrator stays."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client

from broadsheet.accounts.capabilities import role_of
from broadsheet.accounts.roles import LastAdministratorError, set_active, set_role
from broadsheet.content.models import Author
from tests import factories
from tests.accounts.conftest import PASSWORD, make_user, sign_in

User = get_user_model()


def _new_user_data(**fields):
    data = {
        "username": "newbie",
        "email": "newbie@example.org",
        "display_name": "Nina Newbie",
        "role": "author",
        "password_choice": "link",
        "password1": "",
        "password2": "",
    }
    data.update(fields)
    return data


def _routes(users):
    target = users["author"].pk
    return [
        ("get", "/desk/users/", {}),
        ("get", "/desk/users/new/", {}),
        ("post", "/desk/users/new/", _new_user_data()),
        ("get", f"/desk/users/{target}/", {}),
        ("post", f"/desk/users/{target}/", {"email": "x@example.org", "display_name": "X", "role": "administrator"}),
        ("post", f"/desk/users/{target}/active/", {"active": "0"}),
        ("post", f"/desk/users/{target}/password-link/", {}),
        ("get", f"/desk/users/{target}/active/", {}),
        ("get", "/desk/users/999999/", {}),
    ]


@pytest.mark.parametrize("role", ["editor", "author", "contributor"])
def test_everyone_but_administrators_gets_403_on_every_user_page(clients, users, role):
    for method, path, data in _routes(users):
        response = getattr(clients[role], method)(path, data)
        assert response.status_code == 403, (role, method, path)
    author = User.objects.get(pk=users["author"].pk)
    assert author.is_active and role_of(author) == "author" and author.email == "author-login@example.org"
    assert not User.objects.filter(username="newbie").exists()
    assert mail.outbox == []


def test_anonymous_visitors_are_sent_to_sign_in(clients, users):
    for method, path, data in _routes(users):
        response = getattr(clients[None], method)(path, data)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next="), path


def test_a_user_with_no_role_gets_403(users, site):
    nobody = User.objects.create_user("norole", "n@example.org", PASSWORD)
    client = Client()
    client.force_login(nobody)
    assert client.get("/desk/users/").status_code == 403
    assert client.get("/desk/profile/").status_code == 403


def test_administrators_see_the_list_with_roles(clients, users):
    response = clients["administrator"].get("/desk/users/")
    assert response.status_code == 200
    page = response.content.decode()
    for role, user in users.items():
        assert f">{user.username}</a>" in page
        assert f"<td>{role.title()}</td>" in page
    assert 'href="/desk/users/"' in page and ">Users</a>" in page  # the desk's menu


def test_the_users_menu_entry_is_for_administrators_only(clients):
    assert 'href="/desk/users/"' not in clients["editor"].get("/desk/").content.decode()
    assert 'href="/desk/profile/"' in clients["contributor"].get("/desk/").content.decode()


def test_the_list_costs_a_fixed_number_of_queries(clients, users, django_assert_max_num_queries):
    for number in range(30):
        make_user("author", f"extra{number}")
    with django_assert_max_num_queries(12):
        assert clients["administrator"].get("/desk/users/").status_code == 200


def test_create_a_user_who_gets_a_link_to_choose_a_password(clients, users):
    response = clients["administrator"].post("/desk/users/new/", _new_user_data())
    user = User.objects.get(username="newbie")
    assert response.status_code == 302 and response["Location"] == f"/desk/users/{user.pk}/"
    assert role_of(user) == "author" and not user.has_usable_password()
    assert (user.author.display_name, user.author.slug) == ("Nina Newbie", "nina-newbie")
    [message] = mail.outbox
    assert message.to == ["newbie@example.org"]
    assert "Your username is: newbie" in message.body
    link = re.search(r"http://\S+/accounts/password-reset/\S+/", message.body).group(0)
    browser = Client()
    form = browser.get(link.removeprefix("http://127.0.0.1:8000"))["Location"]
    browser.post(form, {"new_password1": "my own passphrase 2026", "new_password2": "my own passphrase 2026"})
    assert sign_in(Client(), "newbie", "my own passphrase 2026").status_code == 302


def test_create_a_user_with_a_password_set_now(clients, users):
    data = _new_user_data(password_choice="set", password1="set by the admin 77", password2="set by the admin 77")
    assert clients["administrator"].post("/desk/users/new/", data).status_code == 302
    assert mail.outbox == []
    assert sign_in(Client(), "newbie@example.org", "set by the admin 77").status_code == 302


@pytest.mark.parametrize(
    "fields,message",
    [
        ({"username": "Author-Login"}, "Another account has that username."),
        ({"email": "EDITOR-login@example.org"}, "Another account uses that address."),
        ({"username": "two words"}, "Enter a valid username"),
        ({"role": "overlord"}, "Select a valid choice"),
        ({"password_choice": "set", "password1": "short", "password2": "short"}, "too short"),
        ({"password_choice": "set", "password1": "set by the admin 77", "password2": "other"}, "not the same"),
        ({"display_name": ""}, "This field is required"),
        ({"username": "u" * 151}, "at most 150 characters"),
        ({"display_name": "d" * 251}, "at most 250 characters"),
    ],
)
def test_create_refuses_bad_input_with_a_message(clients, users, fields, message):
    response = clients["administrator"].post("/desk/users/new/", _new_user_data(**fields))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert User.objects.count() == len(users)


def test_change_role_email_and_display_name(clients, users):
    author = users["author"]
    response = clients["administrator"].post(
        f"/desk/users/{author.pk}/", {"email": "new@example.org", "display_name": "Renamed", "role": "editor"}
    )
    assert response.status_code == 302
    author = User.objects.get(pk=author.pk)
    assert role_of(author) == "editor" and author.is_staff
    assert author.email == "new@example.org" and author.author.display_name == "Renamed"
    assert list(author.groups.values_list("name", flat=True)) == ["editor"]


def test_an_author_with_posts_keeps_their_slug_when_renamed(clients, users):
    author = users["author"]
    factories.post("Something", authors=[author.author])
    clients["administrator"].post(
        f"/desk/users/{author.pk}/", {"email": author.email, "display_name": "Renamed", "role": "author"}
    )
    assert Author.objects.get(user=author).slug == "author-person"


def test_the_last_administrator_cannot_be_demoted(clients, users):
    admin = users["administrator"]
    response = clients["administrator"].post(
        f"/desk/users/{admin.pk}/", {"email": admin.email, "display_name": "Admin", "role": "editor"}
    )
    assert response.status_code == 400
    assert "last administrator" in response.content.decode()
    assert role_of(User.objects.get(pk=admin.pk)) == "administrator"


def test_an_administrator_can_step_down_when_another_exists(clients, users):
    second = make_user("administrator", "second")
    admin = users["administrator"]
    data = {"email": admin.email, "display_name": "Admin", "role": "editor"}
    assert clients["administrator"].post(f"/desk/users/{admin.pk}/", data).status_code == 302
    assert role_of(User.objects.get(pk=admin.pk)) == "editor"
    with pytest.raises(LastAdministratorError):
        set_role(second, "author")
    with pytest.raises(LastAdministratorError):
        set_active(second, False)


def test_the_last_administrator_cannot_be_deactivated(users):
    second = make_user("administrator", "second")
    client = Client()
    client.force_login(second)
    assert client.post(f"/desk/users/{users['administrator'].pk}/active/", {"active": "0"}).status_code == 302
    response = client.post(f"/desk/users/{second.pk}/active/", {"active": "0"}, follow=True)
    assert "cannot deactivate your own account" in response.content.decode()
    assert User.objects.get(pk=second.pk).is_active


def test_a_superuser_outside_the_group_counts_as_an_administrator(site):
    root = User.objects.create_superuser("root", "root@example.org", PASSWORD)
    only = make_user("administrator", "only")
    set_role(only, "editor")  # root remains
    with pytest.raises(LastAdministratorError):
        set_role(root, "editor")


def test_deactivating_signs_the_user_out_and_keeps_their_posts(clients, users):
    author = users["author"]
    post = factories.post("Kept", authors=[author.author])
    response = clients["administrator"].post(f"/desk/users/{author.pk}/active/", {"active": "0"})
    assert response.status_code == 302
    assert clients["author"].get("/desk/").status_code == 302  # their session no longer counts
    assert sign_in(Client(), "author-login").status_code == 400
    assert User.objects.filter(pk=author.pk).exists()
    assert list(post.ordered_authors) == [author.author]
    clients["administrator"].post(f"/desk/users/{author.pk}/active/", {"active": "1"})
    assert sign_in(Client(), "author-login").status_code == 302


def test_send_a_new_password_link(clients, users):
    response = clients["administrator"].post(f"/desk/users/{users['editor'].pk}/password-link/")
    assert response.status_code == 302
    assert [message.to for message in mail.outbox] == [["editor-login@example.org"]]


def test_user_pages_need_the_csrf_token(users):
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["administrator"])
    assert client.post("/desk/users/new/", _new_user_data()).status_code == 403
