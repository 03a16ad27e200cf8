// The patient chunk: Today (the ten-second entry), my plan, sync status and conflicts;
// History, My trends and Me load as their own chunks when their tab is first opened.
import type { ComponentType } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import type { PageProps } from "../types";
import { call, OfflineError } from "../api";
import { addDays, browserTimeZone, calendarDate, diaryToday, formatDay, phoneIsIn, rememberZone } from "../dates";
import { takeSnapshot } from "../boot";
import { db, getMeta, setMeta } from "../db";
import { pendingInvite } from "../invite";
import { t } from "../strings";
import { onSyncChange, outboxCount, pullChanges, replay, resolveConflict, syncState } from "../sync";
import type { Conflict, EntryData, OutboxItem, Plan, Profile } from "../types";
import type { MeProps } from "./Me";
import { PlanLine } from "./PlanLine";
import { TodayForm } from "./TodayForm";

type Tab = "today" | "history" | "trends" | "me";
type HistoryProps = { max: string; onOpen: (date: string) => void };
const TABS: Tab[] = ["today", "history", "trends", "me"];

/** The tab asked for in the address (`/?tab=today`, e.g. from a reminder notification). */
function tabFromUrl(): Tab {
  const asked = new URLSearchParams(window.location.search).get("tab");
  return TABS.includes(asked as Tab) ? (asked as Tab) : "today";
}

interface Day {
  date: string; // proposed diary day
  max: string; // latest date allowed (the local calendar date)
}

/** The day from the phone's copy of the profile; from the phone's clock when it may
 * stand in for the patient's zone (dates.ts: phoneIsIn), checked with Intl just after. */
function localDay(profile: Profile | undefined): { day: Day; check: () => Day | null } {
  const tz = profile?.time_zone ?? browserTimeZone();
  const boundary = profile?.day_boundary ?? "04:00";
  const at = new Date();
  const quick = phoneIsIn(tz, at);
  const day = { date: diaryToday(tz, boundary, at, quick), max: calendarDate(tz, at, quick) };
  /** The exact day when the quick one was wrong (to run after Today is on screen). */
  const check = () => {
    rememberZone(tz, at);
    if (!quick) return null;
    const exact = { date: diaryToday(tz, boundary, at), max: calendarDate(tz, at) };
    return exact.date !== day.date || exact.max !== day.max ? exact : null;
  };
  return { day, check };
}

/** The day being logged, by name, and "Change day" for another one (back-dating). The
 * native date input appears only then, or when a day was opened from History: the first
 * date input of a page costs ~0.1 s of the main thread under the benchmark's 4× CPU
 * throttling (created ~50 ms, laid out ~45 ms: locale data), on the way to Today. */
function DayField(props: {
  date: string;
  today: string;
  max: string;
  chosen: boolean;
  onChange: (date: string) => void;
  onToday: () => void;
}) {
  const { date, today, max, chosen, onChange, onToday } = props;
  const [picking, setPicking] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (picking) input.current?.focus();
  }, [picking]);
  const open = picking || chosen;
  return (
    <div class="dayfield">
      {open ? (
        <label class="field">
          <span>{t.day}</span>
          <input
            ref={input}
            type="date"
            value={date}
            min={addDays(max, -365)}
            max={max}
            onChange={(e) => {
              const v = e.currentTarget.value;
              if (v && v <= max) onChange(v);
            }}
          />
        </label>
      ) : null}
      <p class="dayline">
        <span class="muted small" data-testid="day-name">
          {formatDay(date)}
        </span>
        {!open ? (
          <button type="button" class="link" onClick={() => setPicking(true)}>
            {t.changeDay}
          </button>
        ) : date !== today ? (
          <button
            type="button"
            class="link"
            onClick={() => {
              setPicking(false);
              onToday();
            }}
          >
            {t.backToToday}
          </button>
        ) : null}
      </p>
    </div>
  );
}

/** The outbox's items that wait for the patient (not for a conflict to be resolved). */
function blockedReasons(outbox: OutboxItem[]): string[] {
  return outbox.filter((i) => i.blocked && i.blocked !== "conflict").map((i) => i.blocked!);
}

export function PatientApp({ who, startedOffline, onSignOut }: PageProps) {
  // The first render shows Today from the snapshot read as the app opened (boot.ts), when
  // it is ready; else from reads of its own just after.
  const [boot] = useState(() => takeSnapshot(who.email));
  const [first] = useState(() => (boot ? localDay(boot.profile) : null));
  const [day, setDay] = useState<Day | null>(first?.day ?? null);
  const [selected, setSelected] = useState<string | null>(null);
  const [plan, setPlan] = useState<Plan | null>(boot?.plan ?? null);
  const [online, setOnline] = useState(!startedOffline && navigator.onLine);
  const [pending, setPending] = useState(boot?.outbox.length ?? 0);
  const [conflicts, setConflicts] = useState<Conflict[]>(boot?.conflicts ?? []);
  const [blocked, setBlocked] = useState<string[]>(boot ? blockedReasons(boot.outbox) : []);
  const [state, setState] = useState(syncState());
  const [pulled, setPulled] = useState(false); // the first pull from the server is done
  const [tab, setTab] = useState<Tab>("today");
  const [HistoryView, setHistoryView] = useState<ComponentType<HistoryProps> | null>(null);
  const [TrendsView, setTrendsView] = useState<ComponentType | null>(null);
  const [MeView, setMeView] = useState<ComponentType<MeProps> | null>(null);

  const openTab = (next: Tab) => {
    setTab(next);
    window.scrollTo(0, 0);
    if (next === "history" && !HistoryView) void import("./History").then((m) => setHistoryView(() => m.History));
    if (next === "trends" && !TrendsView) void import("./Trends").then((m) => setTrendsView(() => m.Trends));
    if (next === "me" && !MeView) void import("./Me").then((m) => setMeView(() => m.Me));
  };

  const refreshLocal = async () => {
    const d = await db();
    setPending(await outboxCount());
    setConflicts(await d.getAll("conflicts"));
    setBlocked(blockedReasons(await d.getAll("outbox")));
    setPlan((await getMeta<Plan>("plan")) ?? null);
    setState(syncState());
  };

  const goOnline = async () => {
    try {
      const today = await call("GET", "/api/v1/me/today");
      if (today.status === 200) {
        await setMeta("today", today.body);
        setDay({ date: today.body.date, max: today.body.calendar_date });
      }
      await pullChanges();
      setPulled(true);
      setOnline(true);
      await replay();
    } catch (err) {
      if (err instanceof OfflineError) setOnline(false);
      else throw err;
    }
    await refreshLocal();
  };

  useEffect(() => {
    const asked = tabFromUrl();
    if (asked !== "today") openTab(asked);
    const url = new URL(window.location.href);
    if (url.searchParams.has("tab")) {
      url.searchParams.delete("tab");
      window.history.replaceState(null, "", url.pathname + url.search + url.hash);
    }
    if (pendingInvite() !== null) openTab("me"); // opened from a clinic's invitation link
    const start = (found: ReturnType<typeof localDay>) => {
      setDay((current) => current ?? found.day);
      window.setTimeout(() => {
        const exact = found.check();
        if (exact) setDay((current) => (current === found.day ? exact : current));
      }, 500);
    };
    if (first) start(first);
    else void getMeta<Profile>("profile").then((p) => start(localDay(p)));
    void refreshLocal();
    const unsubscribe = onSyncChange(() => void refreshLocal());
    if (!startedOffline) void goOnline();
    const onOnline = () => void goOnline();
    const onOffline = () => setOnline(false);
    const onMessage = (event: MessageEvent) => {
      // A tapped reminder while the app is open: the service worker asks for Today.
      if (event.data?.type === "open-tab" && event.data.tab === "today") {
        setSelected(null);
        openTab("today");
      }
      void refreshLocal();
    };
    window.addEventListener("online", onOnline);
    window.addEventListener("offline", onOffline);
    navigator.serviceWorker?.addEventListener("message", onMessage);
    // A safety net where the "online" event does not come: retry while something waits.
    const timer = window.setInterval(async () => {
      if (navigator.onLine && (await outboxCount()) > 0) void goOnline();
    }, 20000);
    return () => {
      unsubscribe();
      window.removeEventListener("online", onOnline);
      window.removeEventListener("offline", onOffline);
      navigator.serviceWorker?.removeEventListener("message", onMessage);
      window.clearInterval(timer);
    };
  }, []);

  useEffect(() => {
    if (state === "offline") setOnline(false);
  }, [state]);

  if (!day) return <p class="center">{t.loading}</p>;
  const date = selected ?? day.date;

  const title = tab === "today" ? t.today : tab === "history" ? t.history : tab === "trends" ? t.trends : t.me;
  let body;
  if (tab === "history")
    body = HistoryView ? (
      <HistoryView
        max={day.max}
        onOpen={(d) => {
          setSelected(d);
          openTab("today");
        }}
      />
    ) : (
      <p class="center">{t.loading}</p>
    );
  else if (tab === "trends") body = TrendsView ? <TrendsView /> : <p class="center">{t.loading}</p>;
  else if (tab === "me")
    body = MeView ? (
      <MeView who={who} onSignOut={onSignOut} signOutBlocked={pending > 0} />
    ) : (
      <p class="center">{t.loading}</p>
    );
  else
    body = (
      <>
        {conflicts.map((c) => (
          <ConflictCard conflict={c} />
        ))}
        <PlanLine plan={plan} date={day.date} />
        <DayField
          date={date}
          today={day.date}
          max={day.max}
          chosen={selected !== null}
          onChange={setSelected}
          onToday={() => setSelected(null)}
        />
        <TodayForm key={date} date={date} plan={plan} />
      </>
    );

  return (
    <div class="stack">
      <header class="topbar">
        <h1>{title}</h1>
      </header>
      <p class="muted small">{who.display_name || who.email}</p>
      <p class={online ? "banner ok" : "banner warn"} role="status" data-testid="connection">
        {!online ? (pending > 0 ? t.offlineWaiting(pending) : t.offline) : state === "syncing" || !pulled ? t.syncing : pending > 0 ? t.waitingToSync(pending) : t.allSynced}
      </p>
      {state === "auth" ? <p class="banner warn">{t.signInAgainToSync}</p> : null}
      {blocked.map((reason) => (
        <p class="error" role="alert">
          {t.syncFailed(reason)}
        </p>
      ))}
      {body}
      <nav class="tabbar" aria-label={t.tabsLabel}>
        {(
          [
            ["today", t.today],
            ["history", t.history],
            ["trends", t.trends],
            ["me", t.me],
          ] as [Tab, string][]
        ).map(([key, label]) => (
          <button type="button" class="tab" aria-current={tab === key ? "page" : undefined} onClick={() => openTab(key)}>
            {label}
          </button>
        ))}
      </nav>
    </div>
  );
}

function summary(data: EntryData): string[] {
  const lines = [t.summaryPain(data.pain_score), t.summaryHeadache(data.headache)];
  if (data.migraine) lines.push(t.summaryMigraine);
  if (data.sleep_quality !== null && data.sleep_quality !== undefined) lines.push(t.summarySleep(data.sleep_quality));
  if (data.side_effects?.length)
    lines.push(t.summarySideEffects(data.side_effects.map((s) => t.sideEffectNames[s.kind] ?? s.kind).join(", ")));
  if (data.acute_medications?.length) lines.push(t.summaryMeds(data.acute_medications.length));
  if (data.note) lines.push(t.summaryNote(data.note));
  return lines;
}

function ConflictCard({ conflict }: { conflict: Conflict }) {
  const [busy, setBusy] = useState(false);
  const keep = async (which: "mine" | "theirs") => {
    setBusy(true);
    try {
      await resolveConflict(conflict.date, which);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="card conflict stack" role="alert" aria-labelledby={`conflict-${conflict.date}`}>
      <h2 id={`conflict-${conflict.date}`}>{t.conflictTitle(formatDay(conflict.date))}</h2>
      <p>{t.conflictIntro}</p>
      <div class="versions">
        <div data-testid="conflict-mine">
          <h3>{t.onThisPhone}</h3>
          <ul>
            {summary(conflict.mine).map((l) => (
              <li>{l}</li>
            ))}
          </ul>
          <button type="button" class="primary" disabled={busy} onClick={() => keep("mine")}>
            {t.keepMine}
          </button>
        </div>
        <div data-testid="conflict-theirs">
          <h3>{t.onTheServer}</h3>
          <ul>
            {summary(conflict.theirs).map((l) => (
              <li>{l}</li>
            ))}
          </ul>
          <button type="button" class="secondary" disabled={busy} onClick={() => keep("theirs")}>
            {t.keepTheirs}
          </button>
        </div>
      </div>
    </section>
  );
}
