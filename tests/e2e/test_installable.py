"""Issue 5 item 2: the app is installable. Chromium's own checks (CDP
`Page.getInstallabilityErrors`) find nothing to object to, and its manifest parser reads the
manifest without errors: name, standalone display, start URL and the icon sizes, maskable
included."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from playwright.sync_api import BrowserType, Page, expect

from tests.e2e.chromium import ARGS, CHROMIUM, PHONE


def test_chromium_finds_the_app_installable(browser_type: BrowserType, live_server: Any, tmp_path: Path) -> None:
    # A browser profile on disk: Playwright's usual contexts are incognito ones, where
    # Chromium never offers to install anything ("in-incognito").
    context = browser_type.launch_persistent_context(
        tmp_path / "profile", executable_path=CHROMIUM, headless=True, args=ARGS, **PHONE
    )
    try:
        _check(context.new_page(), live_server.url)
    finally:
        context.close()


def _check(page: Page, base: str) -> None:
    page.goto(base + "/")
    expect(page.get_by_test_id("offline-ready")).to_be_visible()  # the service worker controls the page
    cdp = page.context.new_cdp_session(page)

    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    assert errors == [], errors

    app_manifest = cdp.send("Page.getAppManifest")
    assert app_manifest["errors"] == [], app_manifest["errors"]
    manifest = json.loads(app_manifest["data"])
    assert manifest["name"] == "LDN Diary"
    assert manifest["display"] == "standalone"
    assert manifest["start_url"].startswith("/")
    assert manifest["theme_color"]
    icons = manifest["icons"]
    sizes = {icon["sizes"] for icon in icons}
    assert {"192x192", "512x512"} <= sizes, sizes
    assert any("maskable" in icon.get("purpose", "") for icon in icons), icons
    for icon in icons:  # every icon the manifest names is served
        assert page.request.get(base + "/" + icon["src"].lstrip("/")).ok, icon["src"]
