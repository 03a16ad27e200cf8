"""Screenshots for README.md, in Debian's Chromium at device scale factor 1 (small files):
the patient app's Today, History, My trends and Me of the demo patient
`responder@demo.ldn-diary.test` (months of diary and a real insight) on a 390×844 phone
screen, the sign-up page with the condition asked, and a due PGIC opened on Today
(the demo's irregular diary); and the demo clinician's pages on a 1280×800 desktop screen: the triage list (also
at 768×1024, where rows become cards), the non-responder's patient page, the plan editor
asking before it saves a step above the usual range, the questionnaires of the migraine
patient MIDAS made a responder, the clinic's HIT-6 wording, clinic outcomes, and the first page
of the non-responder's visit report as WeasyPrint prints it (the PDF drawn by pypdfium2).

    make screenshots
    # = LDN_ENV=test scripts/with-services.sh .venv/bin/python scripts/screenshots.py

It starts the same live app as bench/frontend (a fresh database with the demo clinic,
gunicorn on loopback; bench/frontend/server.py), writes docs/screenshots/{today,history,
trends,me,signup,questionnaire,triage,triage-768,patient,plan,questionnaires,clinic,outcomes,
report}.png and recompresses each PNG
losslessly (zlib level 9, no ancillary chunks).
Not part of `make test`: it writes files. The demo's days end today, so the pictures
change with the date they are taken on.
"""

from __future__ import annotations

import re
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.frontend.server import DEMO_PASSWORD, CannotRun, LiveApp, log  # noqa: E402
from tests.e2e.chromium import ARGS, CHROMIUM, PHONE  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
PATIENT = "responder@demo.ldn-diary.test"
TIME_ZONE = "Europe/Berlin"  # the demo responder's
CLINICIAN = "clinician@demo.ldn-diary.test"
# the demo patient whose PGIC follow-up is due (the demo's irregular diary, fibromyalgia)
PGIC_DUE = "irregular@demo.ldn-diary.test"
NAMES = (
    "today",
    "history",
    "trends",
    "me",
    "signup",
    "questionnaire",
    "triage",
    "triage-768",
    "patient",
    "plan",
    "questionnaires",
    "clinic",
    "outcomes",
    "report",
)


def recompress(path: Path) -> None:
    """Keep IHDR, PLTE, IDAT (as one chunk, zlib level 9) and IEND; drop the rest."""
    data = path.read_bytes()
    signature, pos = data[:8], 8
    chunks: list[tuple[bytes, bytes]] = []
    idat = b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IDAT":
            idat += body
        elif kind in {b"IHDR", b"PLTE"}:
            chunks.append((kind, body))
    chunks.append((b"IDAT", zlib.compress(zlib.decompress(idat), 9)))
    chunks.append((b"IEND", b""))
    out = signature + b"".join(
        struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body)) for kind, body in chunks
    )
    if len(out) < len(data):
        path.write_bytes(out)


def totp(app: LiveApp) -> str:
    """The demo clinician's current code, as `manage.py totp_code` prints it for a demo user
    (never one in its last seconds)."""
    while True:
        out = subprocess.run(  # noqa: S603 (our own manage.py, fixed arguments)
            [sys.executable, "manage.py", "totp_code", CLINICIAN],
            cwd=ROOT,
            env=app._env(),
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        code, left = re.fullmatch(r"(\d+)  \(valid for (\d+) more seconds\)\s*", out).groups()  # type: ignore[union-attr]
        if int(left) >= 5:
            return code
        time.sleep(int(left) + 0.5)


def clinician_pages(browser: Any, app: LiveApp, expect: Any) -> None:
    """The demo clinician signs in with the second factor: triage (1280 and 768 px wide), a
    patient page, the plan editor with a warning, outcomes, the visit report's first page."""
    import pypdfium2

    context = browser.new_context(viewport={"width": 1280, "height": 800}, device_scale_factor=1, locale="en-GB")
    page = context.new_page()
    page.goto(app.url + "/")
    page.get_by_label("E-mail").fill(CLINICIAN)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_label("Authenticator code")).to_be_visible()
    page.get_by_label("Authenticator code").fill(totp(app))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_test_id("triage-row").first).to_be_visible(timeout=30_000)
    page.screenshot(path=OUT / "triage.png")
    page.set_viewport_size({"width": 768, "height": 1024})
    page.wait_for_timeout(300)
    page.screenshot(path=OUT / "triage-768.png")
    page.set_viewport_size({"width": 1280, "height": 800})

    page.get_by_role("link", name="Priya Shah").click()
    expect(page.get_by_test_id("chart-headache").locator("canvas")).to_have_count(1, timeout=30_000)
    page.screenshot(path=OUT / "patient.png")
    patient_url = page.url

    page.get_by_role("link", name="Plan and baseline").click()
    page.get_by_role("button", name="Add a step").click()
    step = page.get_by_test_id("plan-step").last
    last_start = page.get_by_test_id("plan-step").nth(-2).get_by_label("Starts on").input_value()
    today = page.evaluate("() => new Date().toISOString().slice(0, 10)")
    step.get_by_label("Starts on").fill(max(today, last_start))
    step.get_by_label("Dose (mg)").fill("6")
    page.get_by_role("button", name="Save the plan").click()
    expect(page.get_by_role("button", name="Save anyway")).to_be_visible()
    page.get_by_test_id("plan-confirm").evaluate("(el) => el.scrollIntoView({ block: 'end' })")
    page.screenshot(path=OUT / "plan.png")
    page.get_by_role("button", name="Back to editing").click()  # nothing is saved

    page.get_by_role("link", name="Triage", exact=True).click()
    page.get_by_role("link", name="James Carter").click()
    page.get_by_role("link", name="Questionnaires", exact=True).click()
    expect(page.get_by_test_id("questionnaire-entry")).to_be_visible(timeout=30_000)
    page.wait_for_timeout(300)
    page.screenshot(path=OUT / "questionnaires.png", full_page=True)

    page.get_by_role("link", name="Clinic", exact=True).click()
    expect(page.get_by_test_id("hit6-status")).to_be_visible()
    page.wait_for_timeout(300)
    page.screenshot(path=OUT / "clinic.png", full_page=True)

    page.get_by_role("link", name="Outcomes", exact=True).click()
    expect(page.get_by_test_id("outcomes-mapping")).to_be_visible()
    page.wait_for_timeout(300)
    page.screenshot(path=OUT / "outcomes.png", full_page=True)

    patient_id = patient_url.rsplit("/", 1)[-1]
    pdf = page.request.get(f"{app.url}/api/v1/patients/{patient_id}/report.pdf")
    assert pdf.status == 200, pdf.status
    document = pypdfium2.PdfDocument(pdf.body())
    try:
        document[0].render(scale=1.5).to_pil().save(OUT / "report.png")
    finally:
        document.close()
    context.close()


def phone_signed_in(browser: Any, app: LiveApp, expect: Any, email: str) -> tuple[Any, Any]:
    """A phone-sized context with `email` signed in and synced: (context, page)."""
    context = browser.new_context(**{**PHONE, "device_scale_factor": 1}, timezone_id=TIME_ZONE)
    page = context.new_page()
    page.goto(app.url + "/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_test_id("connection")).to_have_text("Everything is synced", timeout=30_000)
    return context, page


def patient_extras(browser: Any, app: LiveApp, expect: Any) -> None:
    """Sign-up with the condition asked, and a due PGIC opened on Today."""
    context = browser.new_context(**{**PHONE, "device_scale_factor": 1}, timezone_id=TIME_ZONE)
    page = context.new_page()
    page.goto(app.url + "/")
    page.get_by_role("button", name="New here? Create an account").click()
    page.get_by_label("E-mail").fill("new.patient@example.org")
    group = page.get_by_role("radiogroup", name="What do you take LDN for?")
    group.get_by_role("radio", name="Fibromyalgia").click()
    page.screenshot(path=OUT / "signup.png")
    context.close()

    context, page = phone_signed_in(browser, app, expect, PGIC_DUE)
    card = page.get_by_test_id("questionnaire")
    card.get_by_role("button", name="Answer now").click()
    card.get_by_role("radio", name="Much improved", exact=True).click()
    page.wait_for_timeout(500)  # the app scrolls "Send" clear of the Save bar
    page.screenshot(path=OUT / "questionnaire.png")
    context.close()


def main() -> int:
    from playwright.sync_api import expect, sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    try:
        with LiveApp("ldn_screenshots", "screenshots") as app, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            context, page = phone_signed_in(browser, app, expect, PATIENT)
            expect(page.get_by_test_id("offline-ready")).to_be_visible(timeout=30_000)
            page.screenshot(path=OUT / "today.png")

            tabs = page.get_by_role("navigation", name="Sections")
            tabs.get_by_role("button", name="History", exact=True).click()
            expect(page.locator("button.calday[data-kind='none']").first).to_be_visible()
            page.screenshot(path=OUT / "history.png")

            tabs.get_by_role("button", name="My trends", exact=True).click()
            expect(page.get_by_test_id("chart-pain").locator("canvas")).to_have_count(2, timeout=30_000)
            page.screenshot(path=OUT / "trends.png")

            tabs.get_by_role("button", name="Me", exact=True).click()
            expect(page.get_by_test_id("my-condition")).to_be_visible()
            page.screenshot(path=OUT / "me.png")
            context.close()
            patient_extras(browser, app, expect)
            clinician_pages(browser, app, expect)
            browser.close()
    except CannotRun as error:
        log("screenshots", f"cannot run: {error}")
        return 2
    for name in NAMES:
        path = OUT / f"{name}.png"
        recompress(path)
        log("screenshots", f"{path.relative_to(ROOT)}: {path.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
