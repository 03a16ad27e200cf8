// The patient chunk: Today (the ten-second entry), my plan, sync status, conflicts and
// changes the server refused; History, My trends and Me load as their own chunks when
// their tab is first opened. Each tab (and a day opened from History) is an entry in the
// browser's history, so Back goes to the previous one.
import type { ComponentType } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import type { PageProps } from "../types";
import { call, OfflineError } from "../api";
import { addDays, browserTimeZone, calendarDate, diaryToday, formatDay, phoneIsIn, zoneHint } from "../dates";
import { takeSnapshot, ZONE_KEY } from "../boot";
import { db, getMeta, setMeta } from "../db";
import { pendingInvite } from "../invite";
import { RadioGroup } from "../radio";
import { t } from "../strings";
import { onSyncChange, outboxCount, pullChanges, replay, resolveConflict, syncState } from "../sync";
import type { Conflict, EntryData, OutboxItem, Plan, Profile, Questionnaires, ServerEntry } from "../types";
import type { MeProps } from "./Me";
import { PlanLine } from "./PlanLine";
import { QuestionnaireCard } from "./Questionnaires";
import { TodayForm } from "./TodayForm";

type Tab = "today" | "history" | "trends" | "me";
type HistoryProps = { max: string; onOpen: (date: string) => void };
type TrendsProps = { onOpenDay: (date: string) => void };
const TABS: Tab[] = ["today", "history", "trends", "me"];

/** Where the patient is: a tab, and on Today the day chosen (null: the proposed day). */
interface Route {
  tab: Tab;
  day: string | null;
}

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The route in the address (`/?tab=history`, `/?day=2026-11-20`; a reminder opens `/?tab=today`). */
function routeFromUrl(): Route {
  const params = new URLSearchParams(window.location.search);
  const asked = params.get("tab");
  const day = params.get("day");
  const tab = TABS.includes(asked as Tab) ? (asked as Tab) : "today";
  return { tab, day: tab === "today" && day && ISO_DAY.test(day) ? day : null };
}

function urlOf(route: Route): string {
  const url = new URL(window.location.href);
  url.searchParams.delete("tab");
  url.searchParams.delete("day");
  if (route.tab !== "today") url.searchParams.set("tab", route.tab);
  else if (route.day) url.searchParams.set("day", route.day);
  return url.pathname + url.search + url.hash;
}

interface Day {
  date: string; // proposed diary day
  max: string; // latest date allowed (the local calendar date)
}

/** The day from the phone's copy of the profile; from the phone's clock when it may
 * stand in for the patient's zone (dates.ts: phoneIsIn, the `zone` hint), checked with
 * Intl just after. */
function localDay(profile: Profile | undefined, zone: string | null | undefined): { day: Day; check: () => Day | null } {
  const tz = profile?.time_zone ?? browserTimeZone();
  const boundary = profile?.day_boundary ?? "04:00";
  const at = new Date();
  const quick = phoneIsIn(tz, zone, at);
  const day = { date: diaryToday(tz, boundary, at, quick), max: calendarDate(tz, at, quick) };
  /** The exact day when the quick one was wrong (to run after Today is on screen). */
  const check = () => {
    const hint = zoneHint(tz, at);
    if (hint !== zone) void setMeta(ZONE_KEY, hint);
    if (!quick) return null;
    const exact = { date: diaryToday(tz, boundary, at), max: calendarDate(tz, at) };
    return exact.date !== day.date || exact.max !== day.max ? exact : null;
  };
  return { day, check };
}

/** Which day is being logged: Today, Yesterday (the commonest back-dating) or another day
 * from a date field. The native date input appears only for another day: the first date
 * input of a page costs ~0.1 s of the main thread under the benchmark's 4× CPU throttling
 * (created ~50 ms, laid out ~45 ms: locale data), on the way to Today. */
function DayPicker(props: { date: string; today: string; max: string; onChange: (date: string | null) => void }) {
  const { date, today, max, onChange } = props;
  const yesterday = addDays(today, -1);
  const choice = date === today ? "today" : date === yesterday ? "yesterday" : "other";
  // "Another day" stays chosen while the patient picks dates with it (even yesterday's).
  const [other, setOther] = useState(choice === "other");
  const input = useRef<HTMLInputElement>(null);
  const shown = other ? "other" : choice;
  useEffect(() => {
    if (choice === "other") setOther(true);
  }, [date]);
  // A tap (or Space) on "Another day" moves on to the date; arrowing past it does not.
  const pickOther = useRef(false);
  const clicked = useRef(false);
  useEffect(() => {
    if (other && pickOther.current) input.current?.focus();
    pickOther.current = false;
  }, [other]);
  return (
    <div class="dayfield" onClickCapture={() => (clicked.current = true)}>
      <RadioGroup
        legend={t.whichDay}
        options={[
          { value: "today", label: t.today },
          { value: "yesterday", label: t.yesterday },
          { value: "other", label: t.otherDay },
        ]}
        value={shown}
        onPick={(v) => {
          pickOther.current = clicked.current && v === "other";
          clicked.current = false;
          setOther(v === "other");
          if (v === "today") onChange(null);
          else if (v === "yesterday") onChange(yesterday);
        }}
        layout="n3"
        wide
        testId="day-choice"
      />
      {shown === "other" ? (
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
              if (v && v <= max) onChange(v === today ? null : v);
            }}
          />
        </label>
      ) : null}
      <p class="dayline">
        <span class="muted small" data-testid="day-name">
          {formatDay(date)}
        </span>
      </p>
    </div>
  );
}

/** The outbox's items the server refused (they wait for the patient, not for a conflict). */
function refusedItems(outbox: OutboxItem[]): OutboxItem[] {
  return outbox.filter((i) => i.blocked && i.blocked !== "conflict");
}

type QItem = Extract<OutboxItem, { kind: "questionnaire" }>;

function questionnaireItems(outbox: OutboxItem[]): QItem[] {
  return outbox.filter((i): i is QItem => i.kind === "questionnaire");
}

export function PatientApp({ who, startedOffline, onSignOut }: PageProps) {
  // The first render shows Today from the snapshot read as the app opened (boot.ts), when
  // it is ready; else from reads of its own just after.
  const [boot] = useState(() => takeSnapshot(who.email));
  const [first] = useState(() => (boot ? localDay(boot.profile, boot.zone) : null));
  const [day, setDay] = useState<Day | null>(first?.day ?? null);
  const [route, setRoute] = useState<Route>(routeFromUrl);
  const [plan, setPlan] = useState<Plan | null>(boot?.plan ?? null);
  const [profile, setProfile] = useState<Profile | null>(boot?.profile ?? null);
  const [online, setOnline] = useState(!startedOffline && navigator.onLine);
  const [pending, setPending] = useState(boot?.outbox.length ?? 0);
  const [conflicts, setConflicts] = useState<Conflict[]>(boot?.conflicts ?? []);
  const [refused, setRefused] = useState<OutboxItem[]>(boot ? refusedItems(boot.outbox) : []);
  const [queuedQ, setQueuedQ] = useState<QItem[]>(boot ? questionnaireItems(boot.outbox) : []);
  const [questionnaires, setQuestionnaires] = useState<Questionnaires | null>(null);
  const [state, setState] = useState(syncState());
  const [pulled, setPulled] = useState(false); // the first pull from the server is done
  const [HistoryView, setHistoryView] = useState<ComponentType<HistoryProps> | null>(null);
  const [TrendsView, setTrendsView] = useState<ComponentType<TrendsProps> | null>(null);
  const [MeView, setMeView] = useState<ComponentType<MeProps> | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const tab = route.tab;

  const load = (next: Tab) => {
    if (next === "history" && !HistoryView) void import("./History").then((m) => setHistoryView(() => m.History));
    if (next === "trends" && !TrendsView) void import("./Trends").then((m) => setTrendsView(() => m.Trends));
    if (next === "me" && !MeView) void import("./Me").then((m) => setMeView(() => m.Me));
  };

  /** Go somewhere as a new history entry (Back comes back here), or in place. */
  const navigate = (next: Route, replace = false) => {
    const same = next.tab === route.tab && next.day === route.day;
    if (replace || same) window.history.replaceState(next, "", urlOf(next));
    else window.history.pushState(next, "", urlOf(next));
    setRoute(next);
    load(next.tab);
    if (!same) {
      window.scrollTo(0, 0);
      heading.current?.focus({ preventScroll: true });
    }
  };
  const openTab = (next: Tab) => navigate({ tab: next, day: null });

  const refreshLocal = async () => {
    const d = await db();
    const items = await d.getAll("outbox");
    setPending(items.length);
    setConflicts(await d.getAll("conflicts"));
    setRefused(refusedItems(items));
    setQueuedQ(questionnaireItems(items));
    setQuestionnaires((await getMeta<Questionnaires>("questionnaires")) ?? null);
    setPlan((await getMeta<Plan>("plan")) ?? null);
    setProfile((await getMeta<Profile>("profile")) ?? null);
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
      // what is due, after the outbox went (a response just sent is no longer due)
      const q = await call("GET", "/api/v1/me/questionnaires");
      if (q.status === 200) await setMeta("questionnaires", q.body);
    } catch (err) {
      if (err instanceof OfflineError) setOnline(false);
      else throw err;
    }
    await refreshLocal();
  };

  useEffect(() => {
    const start = routeFromUrl();
    // The first entry of this app in the browser's history carries its route, so Back to
    // it restores it.
    window.history.replaceState(start, "", urlOf(start));
    load(start.tab);
    if (pendingInvite() !== null) navigate({ tab: "me", day: null }, true); // opened from a clinic's invitation link
    const onPop = (event: PopStateEvent) => {
      const next = (event.state as Route | null) ?? routeFromUrl();
      setRoute(next);
      load(next.tab);
    };
    window.addEventListener("popstate", onPop);
    const begin = (found: ReturnType<typeof localDay>) => {
      setDay((current) => current ?? found.day);
      window.setTimeout(() => {
        const exact = found.check();
        if (exact) setDay((current) => (current === found.day ? exact : current));
      }, 500);
    };
    if (first) begin(first);
    else void Promise.all([getMeta<Profile>("profile"), getMeta<string | null>(ZONE_KEY)]).then(([p, zone]) => begin(localDay(p, zone)));
    void refreshLocal();
    const unsubscribe = onSyncChange(() => void refreshLocal());
    if (!startedOffline) void goOnline();
    const onOnline = () => void goOnline();
    const onOffline = () => setOnline(false);
    const onMessage = (event: MessageEvent) => {
      // A tapped reminder while the app is open: the service worker asks for Today.
      if (event.data?.type === "open-tab" && event.data.tab === "today") navigate({ tab: "today", day: null });
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
      window.removeEventListener("popstate", onPop);
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
  const date = route.day && route.day <= day.max ? route.day : day.date;
  const openDay = (d: string) => navigate({ tab: "today", day: d === day.date ? null : d });

  const title =
    tab === "today"
      ? date === day.date
        ? t.today
        : date === addDays(day.date, -1)
          ? t.yesterday
          : formatDay(date)
      : tab === "history"
        ? t.history
        : tab === "trends"
          ? t.trends
          : t.me;
  const waiting = pending - refused.length;
  let body;
  if (tab === "history")
    body = HistoryView ? <HistoryView max={day.max} onOpen={openDay} /> : <p class="center">{t.loading}</p>;
  else if (tab === "trends") body = TrendsView ? <TrendsView onOpenDay={openDay} /> : <p class="center">{t.loading}</p>;
  else if (tab === "me")
    body = MeView ? <MeView who={who} onSignOut={onSignOut} profile={profile} /> : <p class="center">{t.loading}</p>;
  else
    body = (
      <>
        {conflicts.map((c) => (
          <ConflictCard conflict={c} />
        ))}
        <QuestionnaireCard q={questionnaires} queued={queuedQ} today={day.date} />
        {refused
          .filter((i) => i.date !== date && i.kind !== "questionnaire")
          .map((i) => (
            <RefusedElsewhere item={i} onOpen={() => openDay(i.date)} />
          ))}
        <PlanLine plan={plan} date={day.date} />
        <DayPicker date={date} today={day.date} max={day.max} onChange={(d) => navigate({ tab: "today", day: d })} />
        <TodayForm key={date} date={date} today={day.date} max={day.max} plan={plan} condition={profile?.primary_condition ?? null} />
      </>
    );

  return (
    <div class="stack">
      <header class="topbar">
        <h1 ref={heading} tabIndex={-1}>
          {title}
        </h1>
      </header>
      <p class="muted small">{who.display_name || who.email}</p>
      <p class={online && !refused.length ? "banner ok" : "banner warn"} role="status" data-testid="connection">
        {refused.length
          ? t.needsAttention(refused.length)
          : !online
            ? pending > 0
              ? t.offlineWaiting(pending)
              : t.offline
            : state === "syncing" || !pulled
              ? t.syncing
              : waiting > 0
                ? t.waitingToSync(waiting)
                : t.allSynced}
      </p>
      {state === "auth" ? <p class="banner warn">{t.signInAgainToSync}</p> : null}
      {tab !== "today" && refused.length ? (
        <div class="banner warn stack" role="alert" data-testid="refused-elsewhere">
          <p>{t.refusedOn(refused.map((i) => formatDay(i.date)).filter((v, k, a) => a.indexOf(v) === k).join(", "))}</p>
          <button type="button" class="secondary" onClick={() => openDay(refused[0].date)}>
            {t.openThatDay}
          </button>
        </div>
      ) : null}
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

/** A refused change of another day, on Today: open that day to fix or discard it. */
function RefusedElsewhere({ item, onOpen }: { item: OutboxItem; onOpen: () => void }) {
  return (
    <div class="banner warn stack" role="alert" data-testid="refused-other-day">
      <p>{item.kind === "dose" ? t.refusedDoseTitle(formatDay(item.date)) : t.refusedTitle(formatDay(item.date))}</p>
      <button type="button" class="secondary" onClick={onOpen}>
        {t.openThatDay}
      </button>
    </div>
  );
}

function summary(data: EntryData | ServerEntry): string[] {
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
