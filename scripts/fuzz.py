"""`make fuzz`: Schemathesis, with all its checks, against a production-settings gunicorn.

Runs inside scripts/with-services.sh (its PostgreSQL and Redis). Steps:

1. Production settings (LDN_ENV=production, a fresh SECRET_KEY, DEBUG off) on the
   services' database: migrate, collect the static files, seed the demo clinic
   (``seed_demo``: a clinician with TOTP and eight patients with months of diaries).
2. Start gunicorn (the Dockerfile's command) on a free loopback port.
3. Sign in over HTTP as allauth's app client: the demo clinician (password, then the
   TOTP code) and a demo patient; each gets a session token.
4. Write a schemathesis.toml whose dictionaries hold real ids (the linked patient, their
   days, doses, flags, links, reminder kinds, an unsubscribe token) next to generated ones.
5. Run ``schemathesis run --checks all`` once as the clinician (who may end fresh
   invitations, not the patient's link), then once as the patient (who may end it), with
   FUZZ_EXAMPLES examples per operation in the fuzzing phase.
   Requests carry X-Forwarded-Proto: https, as from the TLS proxy production expects.
6. Print what ran and the counts; exit 1 if any response was a server error.

    make fuzz                      # FUZZ_EXAMPLES=100 FUZZ_WORKERS=2 by default
    FUZZ_EXAMPLES=20 make fuzz     # a quicker look
"""

from __future__ import annotations

import json
import os
import platform
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "100"))
WORKERS = os.environ.get("FUZZ_WORKERS", "2")
PATIENT_KEY = "responder"  # seed_demo's profile whose diary and clinician we use


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def production_env(var_dir: str) -> dict[str, str]:
    for name in ("DATABASE_URL", "REDIS_URL"):
        if not os.environ.get(name):
            sys.exit(f"{name} is not set: run me through scripts/with-services.sh (make fuzz does).")
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("LDN_ENV", "DEBUG"))},
        "LDN_ENV": "production",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "MFA_ENCRYPTION_KEY": Fernet.generate_key().decode(),  # production requires its own
        "ALLOWED_HOSTS": "127.0.0.1",
        "LDN_VAR_DIR": var_dir,
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "LOG_LEVEL": "WARNING",
    }


def run(command: list[str], env: dict[str, str], cwd: Path = ROOT, **options: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, env=env, text=True, **options)  # noqa: S603 - our own tools


def manage(env: dict[str, str], *args: str) -> None:
    run([str(BIN / "python"), "manage.py", *args], env, check=True)


def shell(code: str, env: dict[str, str]) -> str:
    """The last line `manage.py shell -c code` prints."""
    out = run(
        [str(BIN / "python"), "manage.py", "shell", "--no-imports", "-c", code], env, check=True, capture_output=True
    )
    return out.stdout.strip().splitlines()[-1]


def say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def fixtures(env: dict[str, str]) -> dict[str, Any]:
    """The ids Schemathesis should use besides the ones it makes up (step 4)."""
    code = r"""
import json, os
from diary.demo.profiles import CLINICIAN_EMAIL, DEMO_PASSWORD, DEMO_TOTP_SECRET, PROFILES
from diary.models import CareLink, Clinician, DiaryEntry, DoseLog, Flag, Patient
from diary.services.care import invitation_create
from diary.services.reminders import reminders_ensure, unsubscribe_token
profile = next(p for p in PROFILES if p.key == os.environ["FUZZ_PATIENT_KEY"])
patient = Patient.objects.get(user__email=profile.email)
others = Patient.objects.exclude(pk=patient.pk).order_by("pk")
reminders = reminders_ensure(patient)
clinician = Clinician.objects.get(user__email=CLINICIAN_EMAIL)
print(json.dumps({
    "clinician": CLINICIAN_EMAIL, "patient": profile.email, "password": DEMO_PASSWORD, "totp": DEMO_TOTP_SECRET,
    "patient_id": [str(patient.public_id), *[str(p.public_id) for p in others[:2]]],
    "day": [d.isoformat() for d in DiaryEntry.objects.filter(patient=patient).order_by("-date")
            .values_list("date", flat=True)[:5]],
    "dose_id": [str(i) for i in DoseLog.objects.filter(patient=patient).order_by("-date")
                .values_list("public_id", flat=True)[:3]],
    "flag_id": [str(i) for i in Flag.objects.values_list("public_id", flat=True)[:5]],
    "link_id": {
        "patient": [str(i) for i in CareLink.objects.filter(patient=patient).values_list("public_id", flat=True)],
        # the clinician may end links: theirs to end are fresh invitations, not the patient's link
        "clinician": [str(invitation_create(clinician=clinician).link.public_id) for _ in range(3)],
    },
    "kind": ["dose", "diary"],
    "token": [unsubscribe_token(r, patient) for r in reminders],
}))
"""
    return dict(json.loads(shell(code, {**env, "FUZZ_PATIENT_KEY": PATIENT_KEY})))


def post(base: str, path: str, body: dict[str, Any], token: str | None = None) -> dict[str, Any]:
    headers = {"Content-Type": "application/json", "X-Forwarded-Proto": "https"}
    if token:
        headers["X-Session-Token"] = token
    request = urllib.request.Request(  # noqa: S310 - our loopback server
        base + path, data=json.dumps(body).encode(), headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - our loopback server
            return dict(json.loads(response.read()))
    except urllib.error.HTTPError as error:  # allauth answers 401 while a flow (the TOTP step) is pending
        return dict(json.loads(error.read()))


def totp_code(secret: str, env: dict[str, str]) -> str:
    code = f"from diary.services.mfa import totp_now; print(totp_now({secret!r}).code)"
    return shell(code, env)


def session_token(base: str, email: str, password: str, totp: str | None, env: dict[str, str]) -> str:
    """allauth's app client: password, then (for a clinician) the TOTP step."""
    login = post(base, "/_allauth/app/v1/auth/login", {"email": email, "password": password})
    token = str(login["meta"]["session_token"])
    if login["status"] == 401 and totp:
        done = post(base, "/_allauth/app/v1/auth/2fa/authenticate", {"code": totp_code(totp, env)}, token)
        assert done["status"] == 200, done
        token = str(done["meta"]["session_token"])
    else:
        assert login["status"] == 200, login
    return token


def config_file(directory: Path, ids: dict[str, Any], role: str) -> Path:
    """The role's schemathesis.toml: each path parameter drawn from real ids most of the time."""
    lines = []
    for name in ("patient_id", "day", "dose_id", "flag_id", "link_id", "kind", "token"):
        values = ", ".join(json.dumps(v) for v in (ids[name][role] if name == "link_id" else ids[name]))
        lines.append(f"[dictionaries.{name}]\nvalues = [{values}]\n")
    lines.append('[auth.openapi.XSessionTokenAuth]\napi_key = "${FUZZ_SESSION_TOKEN}"\n')
    lines.append("[parameters]")
    for name in ("patient_id", "day", "dose_id", "flag_id", "link_id", "kind", "token"):
        lines.append(f'"path.{name}" = {{ dictionary = "{name}", probability = 0.8 }}')
    path = directory / f"{role}.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def wait_until_up(base: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "gunicorn exited"
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2):  # noqa: S310 - loopback; plain HTTP is exempt
                return
        except OSError:
            time.sleep(0.3)
    sys.exit("gunicorn did not answer /healthz within 60 s")


def machine() -> str:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    memory = next(
        (line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")),
        "0",
    )
    return f"{os.cpu_count()} CPUs ({model}), {int(memory) // 1024 // 1024} GiB, {platform.platform()}"


def fuzz(role: str, base: str, token: str, config: Path, reports: Path) -> dict[str, Any]:
    command = [
        str(BIN / "schemathesis"),
        "--config-file",
        str(config),
        "run",
        f"{base}/api/v1/schema/?format=json",
        "--checks",
        "all",
        "--max-examples",
        str(EXAMPLES),
        "--workers",
        WORKERS,
        "--continue-on-failure",  # every operation gets its examples, also after a finding
        "--request-timeout",
        "60",  # a visit report's PDF on a busy 2-core machine can take longer than the default 10 s
        "--header",
        "X-Forwarded-Proto: https",
        "--report",
        "ndjson",
        "--report-ndjson-path",
        str(reports / f"{role}.ndjson"),
        "--no-color",
    ]
    shown = " ".join(command)
    say(f"\n== {role}: FUZZ_SESSION_TOKEN=<{role}'s> {shown}")
    started = time.monotonic()
    # in the run's directory: Schemathesis keeps its example database where it runs
    result = run(command, {**os.environ, "FUZZ_SESSION_TOKEN": token}, cwd=reports, check=False)
    return {"command": shown, "seconds": time.monotonic() - started, "exit": result.returncode}


def counts(ndjson: Path) -> dict[str, Any]:
    """Test cases, responses by status, and checks run and failed (by name), from
    Schemathesis's event log."""
    responses: dict[str, int] = {}
    checks: dict[str, list[int]] = {}  # name -> [run, failed]
    per_operation: dict[str, int] = {}
    cases = 0
    for line in ndjson.read_text().splitlines():
        finished = json.loads(line).get("ScenarioFinished")
        if finished is None:
            continue
        recorder = finished.get("recorder", {})
        cases += len(recorder.get("cases", {}))
        if finished.get("phase") != "stateful":  # stateful scenarios chain several operations
            label = recorder["label"]
            per_operation[label] = per_operation.get(label, 0) + len(recorder.get("cases", {}))
        for interaction in recorder.get("interactions", {}).values():
            status = str((interaction.get("response") or {}).get("status_code", "none"))
            responses[status] = responses.get(status, 0) + 1
        for results in recorder.get("checks", {}).values():
            for check in results:
                tally = checks.setdefault(check["name"], [0, 0])
                tally[0] += 1
                tally[1] += check.get("status") == "failure"
    failures = {name: failed for name, (_, failed) in sorted(checks.items()) if failed}
    return {
        "cases": cases,
        "fewest": min(per_operation.values(), default=0),
        "operations": len(per_operation),
        "responses": dict(sorted(responses.items())),
        "checks": checks,
        "failures": failures,
    }


def slowest(access_log: Path) -> str:
    """The number of requests and the three slowest, from gunicorn's log ("seconds status method path")."""
    timed = []
    for line in access_log.read_text(errors="replace").splitlines():
        seconds, _, rest = line.partition(" ")
        try:
            timed.append((float(seconds), rest))
        except ValueError:  # the rest of a path that held a line break
            continue
    timed.sort(reverse=True)
    return f"{len(timed)} requests; the slowest: " + "; ".join(f"{s:.2f} s {rest[:80]}" for s, rest in timed[:3])


def main() -> int:
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="ldn-fuzz."))
    env = production_env(str(work / "var"))
    say(f"== machine: {machine()}")
    manage(env, "migrate", "--no-input", "-v", "0")
    manage(env, "collectstatic", "--no-input", "-v", "0")
    manage(env, "seed_demo", "--if-empty")
    ids = fixtures(env)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    gunicorn = subprocess.Popen(  # noqa: S603 - the Dockerfile's command
        [
            str(BIN / "gunicorn"),
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "3",
            "--access-logfile",
            str(work / "access.log"),
            "--access-logformat",
            "%(L)s %(s)s %(m)s %(U)s",
        ],
        cwd=ROOT,
        env=env,
        stdout=(work / "gunicorn.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until_up(base, gunicorn)
        tokens = {
            "clinician": session_token(base, ids["clinician"], ids["password"], ids["totp"], env),
            "patient": session_token(base, ids["patient"], ids["password"], None, env),
        }
        roles = ("clinician", "patient")  # in this order: the patient's run may end the care link
        runs = {role: fuzz(role, base, tokens[role], config_file(work, ids, role), work) for role in roles}
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=30)
    server_errors = 0
    say(f"\n== summary (gunicorn log: {work / 'gunicorn.log'})")
    say(slowest(work / "access.log"))
    for role, run in runs.items():
        found = counts(work / f"{role}.ndjson")
        fives = sum(n for status, n in found["responses"].items() if status.startswith("5"))
        server_errors += fives + found["failures"].get("not_a_server_error", 0)
        say(
            f"{role}: {found['cases']} test cases, {found['operations']} operations (the fewest cases: "
            f"{found['fewest']}) in {run['seconds']:.0f} s, schemathesis exit {run['exit']}"
        )
        say(f"  responses by status: {found['responses']}")
        say(f"  checks run: {sum(run for run, _ in found['checks'].values())}; failed: {found['failures'] or 'none'}")
    say(f"server errors: {server_errors}; whole run {time.monotonic() - started:.0f} s; {machine()}")
    return 1 if server_errors else 0


if __name__ == "__main__":
    sys.exit(main())
