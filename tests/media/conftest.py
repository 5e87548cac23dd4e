import pytest

from broadsheet.accounts.roles import ROLES, create_user


@pytest.fixture(autouse=True)
def media_root(tmp_path, settings):
    """Each test stores files in a folder of its own."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # users are made, not logged in
    yield root


@pytest.fixture
def users(db):
    """One user of each role, plus a second author: ``users["author2"]``."""
    made = {role: create_user(role, email=f"{role}@example.org", role=role, password="a long test passphrase 42") for role in ROLES}
    made["author2"] = create_user("author2", email="author2@example.org", role="author", password="a long test passphrase 42")
    return made


def stored_files(root) -> list[str]:
    """Return every file under ``root``, relative, sorted."""
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())
