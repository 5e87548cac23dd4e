"""Signing in, two-factor set-up and the user pages in a real browser (Debian's chromium via Playwright).

Keyboard only for the sign-in form; no console errors (a CSP violation is one); no serious or critical
axe-core violations; screenshots in ``test-artifacts/screenshots/``. Skipped without chromium or axe-core.
"""

from __future__ import annotations

import json

import pyotp
import pytest

from tests.accounts.conftest import PASSWORD, make_user
from tests.browser import AXE, SCREENSHOTS, require_browser

playwright_sync = require_browser(axe=True)

pytestmark = pytest.mark.browser


def _check_page(page, name: str, errors: list[str]) -> None:
    """No console errors so far, no serious axe violations, and a screenshot."""
    page.evaluate(AXE.read_text(encoding="utf-8"))  # evaluated by the driver: the page's CSP still holds for it
    result = page.evaluate("async () => JSON.stringify(await axe.run(document, {resultTypes: ['violations']}))")
    serious = [v["id"] for v in json.loads(result)["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], (name, serious)
    assert errors == [], (name, errors)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"accounts-{name}.png"), full_page=True)


def test_sign_in_by_keyboard_set_up_two_factor_and_sign_in_with_a_code(browser, transactional_db, live_server):
    from tests import factories

    factories.site(title="The Long View")
    make_user("administrator", "ann", email="ann@example.org", display_name="Ann Example")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(f"{live_server.url}/wp-admin/users.php")  # a WordPress bookmark, signed out
    assert page.url.endswith("/accounts/login/?next=/desk/users/")
    _check_page(page, "login", errors)
    focused = page.evaluate("document.activeElement.id")
    assert focused == "id_username"  # the first field has focus
    page.keyboard.type("ann@example.org")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/desk/users/")
    _check_page(page, "users", errors)

    page.goto(f"{live_server.url}/desk/profile/")
    _check_page(page, "profile", errors)
    page.goto(f"{live_server.url}/desk/profile/two-factor/")
    assert page.locator("svg.qr-code").bounding_box()["width"] > 200  # drawn, not blocked by the CSP
    _check_page(page, "two-factor-setup", errors)
    secret = page.locator("code.totp-secret").inner_text().replace(" ", "")
    page.get_by_label("Code from the app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    assert page.locator("ul.recovery-codes li").count() == 10
    _check_page(page, "recovery-codes", errors)
    recovery = page.locator("ul.recovery-codes li").first.inner_text()

    page.get_by_role("button", name="Sign out (ann)").click()
    page.wait_for_url(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username or email address").fill("ann")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/accounts/login/code/")
    _check_page(page, "login-code", errors)
    page.get_by_label("Code").fill(recovery)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/desk/")
    assert "recovery code; 9 left" in page.content()
    context.close()
