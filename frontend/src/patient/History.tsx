// History: a month calendar of the patient's own diary days (local dates), coloured
// and marked in text by none / headache / migraine; tap a day to open it in Today.
import { useEffect, useState } from "preact/hooks";
import { call, OfflineError } from "../api";
import { addDays, formatDay } from "../dates";
import { db } from "../db";
import { t } from "../strings";
import { keepServerEntry, onSyncChange } from "../sync";
import type { EntryData } from "../types";

type Kind = "none" | "headache" | "migraine";

interface DayInfo {
  kind: Kind;
  synced: boolean;
}

export function kindOf(data: Pick<EntryData, "headache" | "migraine">): Kind {
  if (data.migraine) return "migraine";
  return data.headache > 0 ? "headache" : "none";
}

function monthStart(iso: string): string {
  return `${iso.slice(0, 7)}-01`;
}

function shiftMonth(first: string, by: number): string {
  const [y, m] = first.split("-").map(Number);
  const d = new Date(Date.UTC(y, m - 1 + by, 1));
  return d.toISOString().slice(0, 10);
}

function monthEnd(first: string): string {
  return addDays(shiftMonth(first, 1), -1);
}

function monthTitle(first: string): string {
  return new Intl.DateTimeFormat(undefined, { month: "long", year: "numeric", timeZone: "UTC" }).format(
    new Date(`${first}T12:00:00Z`),
  );
}

/** Monday = 0 … Sunday = 6. */
function weekdayIndex(iso: string): number {
  return (new Date(`${iso}T12:00:00Z`).getUTCDay() + 6) % 7;
}

/** The phone's days of a month, then the server's (which the phone keeps a copy of
 * unless it holds an unsent change of that day). */
async function loadMonth(first: string): Promise<{ days: Record<string, DayInfo>; offline: boolean; failed?: number }> {
  const last = monthEnd(first);
  const d = await db();
  const days: Record<string, DayInfo> = {};
  const local = await d.getAll("entries", IDBKeyRange.bound(first, last));
  for (const e of local) days[e.date] = { kind: kindOf(e.data), synced: e.synced };
  try {
    const reply = await call("GET", `/api/v1/me/entries?from=${first}&to=${last}&page_size=31`);
    if (reply.status !== 200) return { days, offline: false, failed: reply.status };
    const tx = d.transaction(["entries", "outbox"], "readwrite");
    for (const e of reply.body.results ?? []) {
      // what the patient saved on the phone wins until it is sent
      if (await keepServerEntry(tx.objectStore("entries"), tx.objectStore("outbox"), e)) days[e.date] = { kind: kindOf(e), synced: true };
    }
    await tx.done;
    return { days, offline: false };
  } catch (err) {
    if (err instanceof OfflineError) return { days, offline: true };
    throw err;
  }
}

export function History({ max, onOpen }: { max: string; onOpen: (date: string) => void }) {
  const [first, setFirst] = useState(monthStart(max));
  // The days read, with the month they belong to (none yet for a month just opened).
  const [read, setRead] = useState<{ month: string; days: Record<string, DayInfo> } | null>(null);
  const [offline, setOffline] = useState(false);
  const [failed, setFailed] = useState(0); // the status of a read the server refused, 0 if none
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let live = true;
    const load = () =>
      loadMonth(first).then((r) => {
        if (!live) return;
        setRead({ month: first, days: r.days });
        setOffline(r.offline);
        setFailed(r.failed ?? 0);
      });
    void load();
    const unsubscribe = onSyncChange(() => void load());
    return () => {
      live = false;
      unsubscribe();
    };
  }, [first, attempt]);

  const last = monthEnd(first);
  const cells: (string | null)[] = Array.from({ length: weekdayIndex(first) }, () => null);
  for (let day = first; day <= last; day = addDays(day, 1)) cells.push(day);
  const days = read?.month === first ? read.days : null;
  const ready = days !== null;
  const values = days ? Object.values(days) : [];
  const headacheDays = values.filter((v) => v.kind !== "none").length;
  const migraineDays = values.filter((v) => v.kind === "migraine").length;

  return (
    <section class="stack" aria-labelledby="month-title">
      <div class="monthbar">
        <button type="button" onClick={() => setFirst(shiftMonth(first, -1))} aria-label={t.previousMonth} title={t.previousMonth}>
          ‹
        </button>
        <h2 id="month-title" aria-live="polite">
          {monthTitle(first)}
        </h2>
        <button
          type="button"
          onClick={() => setFirst(shiftMonth(first, 1))}
          disabled={shiftMonth(first, 1) > max}
          aria-label={t.nextMonth}
          title={t.nextMonth}
        >
          ›
        </button>
      </div>
      {offline ? <p class="banner warn">{t.historyFromPhone}</p> : null}
      {failed ? (
        <div class="banner warn stack" role="alert" data-testid="history-failed">
          <p>{failed >= 500 ? t.serverProblem(failed) : t.requestFailed(failed)}</p>
          <button type="button" onClick={() => setAttempt((n) => n + 1)}>
            {t.tryAgain}
          </button>
        </div>
      ) : null}
      {/* Until the month's days are read, the calendar says it is busy rather than "not logged". */}
      <div class="calendar" role="table" aria-labelledby="month-title" aria-busy={!ready}>
        <div role="row" class="calrow">
          {t.weekdaysShort.map((w) => (
            <span role="columnheader" class="calhead">
              {w}
            </span>
          ))}
        </div>
        {Array.from({ length: Math.ceil(cells.length / 7) }, (_, week) => (
          <div role="row" class="calrow">
            {Array.from({ length: 7 }, (_, i) => {
              const day = cells[week * 7 + i];
              if (!day) return <span role="cell" class="calday empty" />;
              const info = days?.[day];
              const kind = info ? info.kind : "empty";
              const shown = `${Number(day.slice(8))} ${t.dayMarks[kind]}`.trim();
              const label =
                t.openDay(shown, formatDay(day), t.dayKinds[kind]) + (info && !info.synced ? ` (${t.dayNotSynced})` : "");
              return (
                <span role="cell">
                  <button
                    type="button"
                    class={`calday k-${kind}`}
                    data-date={day}
                    data-kind={kind}
                    aria-label={label}
                    disabled={day > max}
                    onClick={() => onOpen(day)}
                  >
                    <span class="num">{Number(day.slice(8))}</span>{" "}
                    <span class="mark" aria-hidden="true">
                      {t.dayMarks[kind]}
                      {info && !info.synced ? "*" : ""}
                    </span>
                  </button>
                </span>
              );
            })}
          </div>
        ))}
      </div>
      {ready ? <p data-testid="month-summary">{t.monthSummary(headacheDays, migraineDays, values.length)}</p> : null}
      <div class="legend" role="list" aria-label={t.legend}>
        {(["none", "headache", "migraine", "empty"] as const).map((k) => (
          <span role="listitem" class="legend-item">
            <span class={`swatch k-${k}`} aria-hidden="true">
              {t.dayMarks[k]}
            </span>
            {t.dayKinds[k]}
          </span>
        ))}
        <span role="listitem" class="legend-item">
          <span class="swatch" aria-hidden="true">
            *
          </span>
          {t.dayNotSynced}
        </span>
      </div>
    </section>
  );
}
