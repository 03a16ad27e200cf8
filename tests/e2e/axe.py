"""`axe_check(page, label)`: axe-core (from npm, `frontend/node_modules/axe-core`) on the
page as it is now, in the light and the dark colour scheme and at 390 and 320 px wide,
plus "no horizontal scroll at 320 px". It fails with a readable list of every violation.

To check a new page or state: bring the page into that state, then call
`axe_check(page, "Me: reminders")`. Nothing else is needed; it puts the colour scheme
and the viewport back as they were.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

AXE_JS = Path(__file__).resolve().parents[2] / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.0, 2.1 and 2.2, levels A and AA (axe has no rule tagged "wcag22a").
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SCHEMES = ("light", "dark")
WIDTHS = (390, 320)
NARROWEST = 320


@cache
def axe_source() -> str:
    if not AXE_JS.is_file():
        pytest.fail(f"{AXE_JS} is missing: run scripts/frontend.sh (npm ci installs axe-core).")
    return AXE_JS.read_text()


def _settle(page: Page) -> None:
    """Let layout, media-query listeners and resize handlers (the charts) catch up."""
    page.evaluate("() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(null))))")


def _describe(violations: list[dict[str, Any]]) -> list[str]:
    lines = []
    for v in violations:
        lines.append(f"  - {v['id']} ({v.get('impact') or 'no impact given'}): {v['help']}")
        for node in v["nodes"]:
            target = " ".join(str(t) for t in node["target"])
            summary = " ".join((node.get("failureSummary") or "").split())
            html = " ".join(node.get("html", "").split())[:160]
            lines.append(f"      at {target}: {summary}")
            lines.append(f"         {html}")
    return lines


def axe_run(page: Page) -> list[dict[str, Any]]:
    """The WCAG A/AA violations axe finds on the page now (axe injected once per document)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # Evaluated through the DevTools protocol, so the page's CSP (own scripts only)
        # does not apply, and the page itself is unchanged.
        page.evaluate(axe_source())
    result: list[dict[str, Any]] = page.evaluate(
        """async (tags) => {
            const options = { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] };
            const r = await window.axe.run(document, options);
            return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map((n) => ({ target: n.target, html: n.html, failureSummary: n.failureSummary })) }));
        }""",
        WCAG_TAGS,
    )
    return result


def axe_check(
    page: Page,
    context_label: str,
    *,
    schemes: tuple[str, ...] = SCHEMES,
    widths: tuple[int, ...] = WIDTHS,
) -> None:
    """No axe violation in any colour scheme at any width, and no sideways scroll at 320 px."""
    viewport = page.viewport_size or {"width": 390, "height": 844}
    problems: list[str] = []
    try:
        for width in widths:
            page.set_viewport_size({"width": width, "height": viewport["height"]})
            for scheme in schemes:
                page.emulate_media(color_scheme=scheme)  # type: ignore[arg-type]
                _settle(page)
                where = f'"{context_label}" [{scheme}, {width} px]'
                violations = axe_run(page)
                if violations:
                    problems.append(f"axe: {len(violations)} violation(s) on {where}:")
                    problems.extend(_describe(violations))
                if width <= NARROWEST:
                    scroll = page.evaluate("() => document.scrollingElement.scrollWidth")
                    if scroll > width:
                        wide = page.evaluate(
                            """(w) => [...document.querySelectorAll('body *')]
                                .filter((el) => el.getBoundingClientRect().right > w + 0.5).slice(0, 5)
                                .map((el) => [el.tagName.toLowerCase(), ...String(el.className).split(' ')]
                                    .filter(Boolean).join('.'))""",
                            width,
                        )
                        problems.append(f"sideways scroll on {where}: scrollWidth {scroll} > {width}; too wide: {wide}")
    finally:
        page.set_viewport_size(viewport)
        page.emulate_media(color_scheme="light")
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)
