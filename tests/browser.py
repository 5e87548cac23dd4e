"""What the browser tests share: Debian's chromium driven by Playwright, and axe-core.

A test module that drives the browser calls :func:`require_browser` at import time (it
skips the module, with the reason, when chromium, axe-core or Playwright is missing) and
uses the module-scoped ``browser`` fixture from ``tests/conftest.py``.
"""

from __future__ import annotations

import os
import pathlib
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

REPO = pathlib.Path(__file__).resolve().parent.parent
CHROMIUM = pathlib.Path("/usr/bin/chromium")
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Installed before any page script: records every way a hostile payload could announce itself.
PAYLOAD_HOOK = """
window.__ran = [];
for (const name of ["alert", "confirm", "prompt"]) { window[name] = (...args) => { window.__ran.push([name, ...args]); }; }
"""


def require_browser(*, axe: bool = True):
    """Skip the calling module unless chromium (and axe-core) are here; return Playwright's sync API."""
    if not CHROMIUM.exists():
        pytest.skip(f"browser checks need Debian's chromium at {CHROMIUM}", allow_module_level=True)
    if axe and not AXE.exists():
        pytest.skip(f"browser checks need axe-core: run `npm install` in {REPO} ({AXE} is missing)", allow_module_level=True)
    return pytest.importorskip("playwright.sync_api", reason="browser checks need Playwright for Python")


@contextmanager
def launched_chromium() -> Iterator:
    """Chromium for one test module.

    Playwright's sync API keeps an event loop in this thread, which makes Django refuse ORM
    calls from the test ("async context"). The tests run no async code, so allow it meanwhile.
    """
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                yield chromium
            finally:
                chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def serious_violations(page, axe_source: str) -> list[dict]:
    # Evaluated through the DevTools protocol: the page's content security policy forbids
    # inline scripts (add_script_tag would be blocked, which is the policy working).
    page.evaluate(axe_source)
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [violation for violation in results["violations"] if violation["impact"] in ("serious", "critical")]


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"[{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})")
        for node in violation["nodes"][:8]:
            lines.append(f"    at {', '.join(map(str, node['target']))}: {node['html'][:160]}")
            summary = node.get("failureSummary", "").replace("\n", " ")
            if summary:
                lines.append(f"      {summary[:400]}")
        if len(violation["nodes"]) > 8:
            lines.append(f"    ... and {len(violation['nodes']) - 8} more")
    return "\n".join(lines)
