// Reminder settings (a section of the Me page): for the dose and the diary reminder, on/off,
// time, days, push and/or e-mail, lock-screen text (shown once the reminder is ticked on). Notification permission is asked for
// only when the patient saves a reminder that is on with push, never on opening the page.
import { useEffect, useState } from "preact/hooks";
import { call, errorText, failureText, HttpError, OfflineError, problemOf } from "../api";
import { browserTimeZone } from "../dates";
import { getMeta } from "../db";
import { t } from "../strings";
import type { Profile, Reminder, ReminderDay } from "../types";
import { pushEnable, pushForget, type PushSetup } from "./push";

const DAYS: readonly ReminderDay[] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

type Load = { state: "loading" } | { state: "offline" } | { state: "error"; text: string } | { state: "ok"; reminders: Reminder[] };
type FieldErrors = Record<string, string[]>;

function formatWhen(iso: string, tz: string): string {
  return new Intl.DateTimeFormat(undefined, {
    weekday: "long",
    day: "numeric",
    month: "long",
    hour: "2-digit",
    minute: "2-digit",
    timeZone: tz,
  }).format(new Date(iso));
}

export function RemindersSettings() {
  const [load, setLoad] = useState<Load>({ state: "loading" });
  const [tz, setTz] = useState(browserTimeZone());

  const fetchAll = async () => {
    try {
      const reply = await call<Reminder[]>("GET", "/api/v1/me/reminders");
      if (reply.status !== 200) throw new HttpError(reply.status);
      setLoad({ state: "ok", reminders: reply.body });
    } catch (err) {
      if (err instanceof OfflineError) setLoad({ state: "offline" });
      else setLoad({ state: "error", text: failureText(err, t.remindersLoadFailed) });
    }
  };

  useEffect(() => {
    void getMeta<Profile>("profile").then((p) => p?.time_zone && setTz(p.time_zone));
    void fetchAll();
    const onOnline = () => void fetchAll();
    window.addEventListener("online", onOnline);
    return () => window.removeEventListener("online", onOnline);
  }, []);

  let body;
  if (load.state === "loading") body = <p class="muted">{t.loading}</p>;
  else if (load.state === "offline") body = <p class="banner warn">{t.remindersOffline}</p>;
  else if (load.state === "error")
    body = (
      <div class="error stack" role="alert">
        <p>{load.text}</p>
        <button type="button" onClick={() => void fetchAll()}>
          {t.tryAgain}
        </button>
      </div>
    );
  else body = load.reminders.map((r) => <ReminderCard key={r.kind} initial={r} tz={tz} />);

  return (
    <section class="card stack" aria-labelledby="reminders-title">
      <h2 id="reminders-title">{t.reminders}</h2>
      <p class="muted small">{t.remindersIntro}</p>
      {body}
    </section>
  );
}

/** No reminder sends pushes any more: this phone stops receiving them. */
async function forgetPhoneUnlessPushed(): Promise<void> {
  try {
    const all = await call<Reminder[]>("GET", "/api/v1/me/reminders");
    if (all.status === 200 && !all.body.some((r) => r.enabled && r.channels.includes("push"))) await pushForget();
  } catch {
    // offline just after the save: the phone keeps its subscription, which sends nothing
  }
}

function ReminderCard({ initial, tz }: { initial: Reminder; tz: string }) {
  const [saved, setSaved] = useState(initial);
  const [form, setForm] = useState(initial);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [problem, setProblem] = useState<PushSetup | null>(null);
  const [status, setStatus] = useState("");
  const [busy, setBusy] = useState(false);
  const kind = initial.kind;
  const id = (name: string) => `rem-${kind}-${name}`;
  const title = t.reminderKinds[kind] ?? kind;

  const update = (patch: Partial<Reminder>) => setForm((f) => ({ ...f, ...patch }));
  const toggle = <T extends string>(list: T[], value: T): T[] =>
    list.includes(value) ? list.filter((v) => v !== value) : [...list, value];

  const save = async (patch: Partial<Reminder> = {}) => {
    const next = { ...form, ...patch };
    setForm(next);
    setErrors({});
    setProblem(null);
    setBusy(true);
    setStatus(t.reminderSaving);
    try {
      if (next.enabled && next.channels.includes("push")) {
        // The one place the permission prompt can come from: the patient just asked for push.
        // It never waits for ever (push.ts: PUSH_TIMEOUT_MS), and when it fails nothing is
        // saved with a channel that cannot work: the settings saved before stay as they were.
        const setup = await pushEnable();
        if (setup === "offline") throw new OfflineError("offline");
        if (setup !== "ok") {
          setProblem(setup);
          setStatus("");
          return;
        }
      }
      const reply = await call<Reminder>("PATCH", `/api/v1/me/reminders/${kind}`, {
        enabled: next.enabled,
        local_time: next.local_time.slice(0, 5),
        days: DAYS.filter((d) => next.days.includes(d)),
        channels: next.channels,
        text: next.text.trim() === next.default_text ? "" : next.text.trim(),
        show_dose: next.show_dose,
      });
      if (reply.status === 200) {
        setSaved(reply.body);
        setForm(reply.body);
        const r = reply.body;
        if (!(r.enabled && r.channels.includes("push"))) await forgetPhoneUnlessPushed();
        const detail = !r.enabled ? t.reminderOff : r.next_fire_at ? t.reminderNext(formatWhen(r.next_fire_at, tz)) : "";
        setStatus(`${t.reminderSaved} ${detail}`.trim());
      } else if (reply.status === 400 && problemOf(reply)?.errors) {
        setErrors(problemOf(reply)?.errors ?? {});
        setStatus(t.reminderFix);
      } else {
        setStatus(errorText(reply, t.genericError));
      }
    } catch (err) {
      setStatus(err instanceof OfflineError ? t.remindersOffline : t.genericError);
    } finally {
      setBusy(false);
    }
  };

  const fieldError = (name: string) =>
    errors[name] ? (
      <span class="field-error" id={id(`${name}-error`)}>
        {errors[name].join(" ")}
      </span>
    ) : null;
  const described = (name: string) => (errors[name] ? id(`${name}-error`) : undefined);
  const known = ["enabled", "local_time", "days", "channels", "text", "show_dose"];
  const otherErrors = Object.entries(errors).filter(([k]) => !known.includes(k));

  return (
    <form
      class="reminder stack"
      aria-labelledby={id("title")}
      data-testid={`reminder-${kind}`}
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <h3 id={id("title")}>{title}</h3>
      <label class="check">
        <input
          type="checkbox"
          checked={form.enabled}
          aria-describedby={described("enabled")}
          onChange={(e) => update({ enabled: e.currentTarget.checked })}
        />
        <span>{t.reminderOn}</span>
      </label>
      {fieldError("enabled")}
      {form.enabled ? (
        <div class="stack">
          <div class="field">
            <label for={id("time")}>{t.reminderTime}</label>
            <input
              id={id("time")}
              type="time"
              required
              value={form.local_time.slice(0, 5)}
              aria-invalid={errors.local_time ? "true" : undefined}
              aria-describedby={described("local_time")}
              onInput={(e) => update({ local_time: e.currentTarget.value })}
            />
            {fieldError("local_time")}
          </div>
          <fieldset aria-describedby={described("days")}>
            <legend>{t.reminderDays}</legend>
            <div class="chips">
              {DAYS.map((d) => (
                <button
                  type="button"
                  class="chip"
                  aria-pressed={form.days.includes(d) ? "true" : "false"}
                  onClick={() => update({ days: toggle(form.days, d) })}
                >
                  {t.dayNamesShort[d]}
                </button>
              ))}
            </div>
            {fieldError("days")}
          </fieldset>
          <fieldset aria-describedby={described("channels")}>
            <legend>{t.reminderChannels}</legend>
            <label class="check">
              <input
                type="checkbox"
                checked={form.channels.includes("push")}
                onChange={() => update({ channels: toggle(form.channels, "push") })}
              />
              <span>{t.channelPush}</span>
            </label>
            <label class="check">
              <input
                type="checkbox"
                checked={form.channels.includes("email")}
                onChange={() => update({ channels: toggle(form.channels, "email") })}
              />
              <span>{t.channelEmail}</span>
            </label>
            {fieldError("channels")}
          </fieldset>
          <div class="field">
            <label for={id("text")}>{t.reminderText}</label>
            <input
              id={id("text")}
              type="text"
              maxLength={80}
              value={form.text}
              aria-invalid={errors.text ? "true" : undefined}
              aria-describedby={[id("text-hint"), described("text")].filter(Boolean).join(" ")}
              onInput={(e) => update({ text: e.currentTarget.value })}
            />
            <span class="muted small hint" id={id("text-hint")}>
              {t.reminderTextHint}
            </span>
            {fieldError("text")}
          </div>
          {kind === "dose" ? (
            <label class="check">
              <input type="checkbox" checked={form.show_dose} onChange={(e) => update({ show_dose: e.currentTarget.checked })} />
              <span>{t.reminderShowDose}</span>
            </label>
          ) : null}
        </div>
      ) : null}
      {problem ? (
        <div class="banner warn stack" role="alert">
          <p>
            {{ unsupported: t.pushUnsupported, denied: t.pushDenied, dismissed: t.pushDismissed, timeout: t.pushTimedOut }[
              problem as string
            ] ?? t.pushFailed}
          </p>
          <button type="button" class="secondary" disabled={busy} onClick={() => void save({ channels: ["email"] })}>
            {t.useEmailInstead}
          </button>
        </div>
      ) : null}
      {otherErrors.map(([k, v]) => (
        <p class="error">{`${k}: ${v.join(" ")}`}</p>
      ))}
      <button type="submit" class="primary big" disabled={busy}>
        {t.saveReminder(title)}
      </button>
      <p class="muted small" role="status" data-testid={`reminder-${kind}-status`}>
        {status ||
          (saved.enabled && saved.snoozed_until ? t.reminderSnoozed(formatWhen(saved.snoozed_until, tz)) : "")}
      </p>
    </form>
  );
}
