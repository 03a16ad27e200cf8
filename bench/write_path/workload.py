"""The upserts both sides of the benchmark perform: the same days, bodies and order.

Each client owns one patient and works through its own list of operations, one at a
time (a phone replaying its outbox). The list is deterministic for (seed, level,
client), so the HTTP run and the psycopg lower bound write exactly the same rows in the
same order, starting from the same (empty) diary.
"""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

# Share of operations by kind (the first operation of a client is always a create).
CREATE_SHARE = 0.55
REPEAT_SHARE = 0.05  # an identical replay of the day's last PUT (offline outbox resend)

SIDE_EFFECT_KINDS = (
    "vivid_dreams",
    "insomnia",
    "headache",
    "nausea",
    "fatigue",
    "dizziness",
    "irritability",
    "anxiety",
)
MEDICINES = (
    ("triptan", "Sumatriptan 50 mg", False),
    ("triptan", "Rizatriptan 10 mg", False),
    ("non_opioid_analgesic", "Ibuprofen 400 mg", False),
    ("non_opioid_analgesic", "Paracetamol 1 g", False),
    ("combination_analgesic", "Aspirin/paracetamol/caffeine", False),
    ("combination_analgesic", "Paracetamol/codeine 500/30", True),
    ("antiemetic", "Metoclopramide 10 mg", False),
)
NOTES = (
    "",
    "Bad night, woke at 3.",
    "Weather change, pressure headache in the afternoon.",
    "Busy day at work, skipped lunch.",
    "Felt better after a walk.",
    "Period started.",
)


@dataclass(frozen=True)
class Op:
    """One PUT /api/v1/me/entries/<day> with its JSON body."""

    day: date
    body: dict[str, Any]
    kind: str  # "create" | "update" | "repeat" (what the stored diary sees)

    @property
    def body_bytes(self) -> bytes:
        return json.dumps(self.body, separators=(",", ":")).encode()


def entry_body(rng: random.Random) -> dict[str, Any]:
    """A realistic diary day as the PWA sends it (core fields, sometimes the details)."""
    headache = rng.choices((0, 1, 2, 3), weights=(45, 25, 20, 10))[0]
    body: dict[str, Any] = {
        "pain_score": min(10, 2 * headache + rng.randint(0, 4)),
        "headache": headache,
        "sleep_quality": rng.randint(2, 9) if rng.random() < 0.9 else None,
        "client_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
    }
    if headache:
        body["migraine"] = headache >= 2 and rng.random() < 0.6
        body["headache_hours"] = round(rng.uniform(0.5, 14) * 4) / 4
        if headache >= 2 and rng.random() < 0.5:
            for field in ("one_sided", "pulsating", "worse_with_activity", "nausea_vomiting"):
                body[field] = rng.random() < 0.5
            body["light_sensitivity"] = rng.random() < 0.7
            body["sound_sensitivity"] = rng.random() < 0.6
            if rng.random() < 0.2:
                body["aura_minutes"] = rng.choice((15, 20, 30, 45))
        if rng.random() < 0.5:
            picked = rng.sample(MEDICINES, rng.choice((1, 1, 2)))
            body["acute_medications"] = [
                {"med_class": cls, "name": name, "for_headache": True, "contains_opioid": opioid}
                for cls, name, opioid in picked
            ]
    if rng.random() < 0.2:
        body["side_effects"] = [
            {"kind": kind, "severity": rng.randint(1, 3), "limited_activities": rng.random() < 0.2}
            for kind in rng.sample(SIDE_EFFECT_KINDS, rng.choice((1, 1, 2)))
        ]
    note = rng.choice(NOTES) if rng.random() < 0.3 else ""
    if note:
        body["note"] = note
    return body


def client_ops(*, seed: int, level: int, client: int, count: int, first_day: date, last_day: date) -> list[Op]:
    """`count` operations for one client: creates of new days, updates and replays of written ones."""
    rng = random.Random(f"{seed}:{level}:{client}")
    unused = [first_day + timedelta(days=n) for n in range((last_day - first_day).days + 1)]
    rng.shuffle(unused)
    written: dict[date, dict[str, Any]] = {}
    ops: list[Op] = []
    for _ in range(count):
        roll = rng.random()
        if unused and (not written or roll < CREATE_SHARE):
            day = unused.pop()
            body = entry_body(rng)
            ops.append(Op(day, body, "create"))
        elif roll < CREATE_SHARE + REPEAT_SHARE:
            day = rng.choice(list(written))
            body = written[day]
            ops.append(Op(day, body, "repeat"))
        else:
            day = rng.choice(list(written))
            body = entry_body(rng)
            while body == written[day]:
                body = entry_body(rng)
            ops.append(Op(day, body, "update"))
        written[day] = body
    return ops


def level_ops(*, seed: int, level: int, requests: int, first_day: date, last_day: date) -> list[list[Op]]:
    """The operations of every client at one concurrency level (`requests` in all)."""
    per_client, extra = divmod(requests, level)
    return [
        client_ops(
            seed=seed,
            level=level,
            client=client,
            count=per_client + (1 if client < extra else 0),
            first_day=first_day,
            last_day=last_day,
        )
        for client in range(level)
    ]


def mix(plan: list[list[Op]]) -> dict[str, int]:
    counts = {"create": 0, "update": 0, "repeat": 0}
    for ops in plan:
        for op in ops:
            counts[op.kind] += 1
    return counts
