"""CPU time of groups of processes, read from /proc (Linux), to say who used the cores.

Each process counts utime + stime + cutime + cstime: when a PostgreSQL backend exits,
the postmaster reaps it and its time moves into the postmaster's cutime/cstime, so the
sum over a group stays right across connections that close during a run.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Proc:
    pid: int
    ppid: int
    comm: str
    cpu: float  # seconds, including reaped children


def processes() -> list[Proc]:
    procs = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
        except OSError:
            continue
        comm = raw[raw.index("(") + 1 : raw.rindex(")")]
        fields = raw[raw.rindex(")") + 2 :].split()
        # fields[0] is state (field 3): utime..cstime are fields 14..17
        ticks = sum(int(value) for value in fields[11:15])
        procs.append(Proc(pid=int(entry.name), ppid=int(fields[1]), comm=comm, cpu=ticks / TICKS))
    return procs


def machine_busy() -> float:
    """Seconds of CPU the whole machine has been busy (all cores; idle and iowait excluded)."""
    fields = [int(value) for value in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    return (user + nice + system + irq + softirq + steal) / TICKS


@dataclass(frozen=True)
class Sample:
    app: float
    db: float
    me: float  # this process and its reaped children
    busy: float  # the whole machine

    @property
    def other(self) -> float:
        """CPU used by processes that are not part of the benchmark (noise)."""
        return max(0.0, self.busy - self.app - self.db - self.me)


def parent_of(pid: int) -> int:
    raw = Path(f"/proc/{pid}/stat").read_text()
    return int(raw[raw.rindex(")") + 2 :].split()[1])


def sample(app_root: int | None, db_root: int | None) -> Sample:
    """CPU so far of the app (gunicorn master + workers) and the database (postmaster + backends)."""
    procs = processes()
    app = sum(p.cpu for p in procs if app_root is not None and app_root in (p.pid, p.ppid))
    db = sum(p.cpu for p in procs if db_root is not None and db_root in (p.pid, p.ppid))
    times = os.times()
    me = times.user + times.system + times.children_user + times.children_system
    return Sample(app=app, db=db, me=me, busy=machine_busy())


def delta(before: Sample, after: Sample) -> Sample:
    return Sample(
        app=after.app - before.app,
        db=after.db - before.db,
        me=after.me - before.me,
        busy=after.busy - before.busy,
    )
