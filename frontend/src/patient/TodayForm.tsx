// One diary day: the core on one screen (a typical day is four taps and Save), the
// details on demand, and the opioid warning the moment an opioid is chosen.
import { useEffect, useRef, useState } from "preact/hooks";
import { takeDay } from "../boot";
import { db } from "../db";
import { t } from "../strings";
import { newId, onSyncChange, replay, saveDay } from "../sync";
import {
  isOpioid,
  MEDICINE_CLASSES,
  nameSuggestsOpioid,
  SIDE_EFFECT_KINDS,
  type EntryData,
  type LocalDose,
  type LocalEntry,
  type Medicine,
  type Plan,
  type SideEffect,
} from "../types";

const FEATURES = ["one_sided", "pulsating", "worse_with_activity", "nausea_vomiting", "light_sensitivity", "sound_sensitivity"] as const;
type Feature = (typeof FEATURES)[number];

interface Form extends Omit<EntryData, "pain_score" | "headache" | "client_id"> {
  pain_score: number | null;
  headache: number | null;
}

function emptyForm(): Form {
  return {
    pain_score: null,
    headache: null,
    migraine: null,
    sleep_quality: null,
    headache_hours: null,
    one_sided: null,
    pulsating: null,
    worse_with_activity: null,
    nausea_vomiting: null,
    light_sensitivity: null,
    sound_sensitivity: null,
    aura_minutes: null,
    note: "",
    side_effects: [],
    acute_medications: [],
  };
}

/** The planned dose of a date: today's answer from the API, else the plan's step then. */
function plannedOn(plan: Plan | null, date: string): { mg: number; time_of_day: string | null } | null {
  if (!plan) return null;
  if (plan.today && plan.today.date === date) return { mg: Number(plan.today.mg), time_of_day: plan.today.time_of_day };
  const p = plan.plan;
  if (!p || (p.stopped_on && p.stopped_on <= date)) return null;
  const steps = p.steps.filter((s) => s.start_date <= date).sort((a, b) => (a.start_date < b.start_date ? -1 : 1));
  const step = steps[steps.length - 1];
  return step ? { mg: Number(step.mg), time_of_day: step.time_of_day } : null;
}

function fmtMg(mg: number): string {
  return Number.isInteger(Math.round(mg * 100) / 10) ? mg.toFixed(1) : mg.toFixed(2);
}

function Scale({ legend, value, max, onPick, name }: { legend: string; value: number | null; max: number; onPick: (n: number) => void; name: string }) {
  return (
    <fieldset class="scale">
      <legend>{legend}</legend>
      <div class={`choices n${max + 1}`}>
        {Array.from({ length: max + 1 }, (_, n) => (
          <button type="button" class="choice" aria-pressed={value === n} data-name={name} onClick={() => onPick(n)}>
            {n}
          </button>
        ))}
      </div>
    </fieldset>
  );
}

/** Whether the stored entry opens the details (they hold something). */
function hasDetails(entry: LocalEntry | null): boolean {
  return !!entry && (entry.data.acute_medications.length > 0 || !!entry.data.note || entry.data.headache_hours !== null);
}

function statusOf(entry: LocalEntry | null | undefined): "none" | "phone" | "synced" {
  return entry ? (entry.synced ? "synced" : "phone") : "none";
}

export function TodayForm({ date, plan }: { date: string; plan: Plan | null }) {
  // The first Today of a page load starts with the day as stored, read as the app opened
  // (boot.ts): the form is never shown empty and then filled under the patient's taps.
  const [stored] = useState(() => takeDay(date));
  const [form, setForm] = useState<Form>(() => (stored?.entry ? { ...emptyForm(), ...stored.entry.data } : emptyForm()));
  const [clientId, setClientId] = useState<string>(() => stored?.entry?.data.client_id || newId());
  const [dose, setDose] = useState<LocalDose | null>(stored?.dose ?? null);
  const [tookDose, setTookDose] = useState(false);
  const planned = plannedOn(plan, date);
  const [doseMg, setDoseMg] = useState<string>("");
  const [doseTime, setDoseTime] = useState<string>("");
  const [details, setDetails] = useState(() => hasDetails(stored?.entry ?? null));
  const [status, setStatus] = useState<"none" | "phone" | "synced">(statusOf(stored?.entry));
  const [message, setMessage] = useState("");
  const [loaded, setLoaded] = useState(stored !== null);

  // Until the patient touches the form, it follows the phone's copy (which a pull of
  // another device's edit, or a sync, may change).
  const dirty = useRef(false);

  const load = async () => {
    const d = await db();
    const tx = d.transaction(["entries", "doses"]); // one round trip for both
    const [entry, savedDose] = await Promise.all([tx.objectStore("entries").get(date), tx.objectStore("doses").get(date)]);
    setStatus(statusOf(entry));
    setDose(savedDose ?? null);
    if (entry && !dirty.current) {
      setForm({ ...emptyForm(), ...entry.data });
      setClientId(entry.data.client_id || newId());
      if (hasDetails(entry)) setDetails(true);
    }
    setLoaded(true);
  };

  useEffect(() => {
    void load();
    return onSyncChange(() => void load());
  }, [date]);

  useEffect(() => {
    if (planned) {
      setDoseMg((v) => v || String(planned.mg));
      setDoseTime((v) => v || planned.time_of_day || "");
    }
  }, [planned?.mg, planned?.time_of_day]);

  const set = <K extends keyof Form>(key: K, value: Form[K]) => {
    dirty.current = true;
    setForm((f) => ({ ...f, [key]: value }));
  };

  const toggleSideEffect = (kind: string) => {
    const has = form.side_effects.some((s) => s.kind === kind);
    set(
      "side_effects",
      has
        ? form.side_effects.filter((s) => s.kind !== kind)
        : [...form.side_effects, { kind, severity: 1, limited_activities: false, other_text: "" }],
    );
  };
  const updateSideEffect = (kind: string, change: Partial<SideEffect>) =>
    set(
      "side_effects",
      form.side_effects.map((s) => (s.kind === kind ? { ...s, ...change } : s)),
    );

  const updateMed = (i: number, change: Partial<Medicine>) =>
    set(
      "acute_medications",
      form.acute_medications.map((m, j) => {
        if (j !== i) return m;
        const next = { ...m, ...change };
        if (change.name !== undefined && next.med_class === "combination_analgesic" && nameSuggestsOpioid(next.name)) {
          next.contains_opioid = true; // pre-ticked (CLINICAL.md §11.3)
        }
        if (change.med_class !== undefined) {
          next.contains_opioid =
            next.med_class === "opioid" ? true : next.med_class === "combination_analgesic" && nameSuggestsOpioid(next.name) ? true : null;
        }
        return next;
      }),
    );

  const opioid = form.acute_medications.some(isOpioid);
  const canSave = form.pain_score !== null && form.headache !== null;

  const save = async (e: Event) => {
    e.preventDefault();
    if (!canSave) {
      setMessage(t.needPainAndHeadache);
      return;
    }
    setMessage("");
    const data: EntryData = {
      ...form,
      pain_score: form.pain_score!,
      headache: form.headache!,
      note: form.note.trim(),
      side_effects: form.side_effects.map((s) => ({ ...s, other_text: s.kind === "other" ? s.other_text.trim() : "" })),
      acute_medications: form.acute_medications.map((m) => ({
        ...m,
        name: m.name.trim(),
        contains_opioid: m.med_class === "combination_analgesic" ? m.contains_opioid === true : m.med_class === "opioid" ? true : null,
      })),
      client_id: clientId,
    };
    const mg = Number(doseMg);
    const newDose =
      tookDose && !dose
        ? { client_id: newId(), date, taken: true, mg: mg > 0 ? mg : null, time_of_day: doseTime || null }
        : null;
    await saveDay(date, data, newDose);
    dirty.current = false;
    setTookDose(false);
    await load();
    void replay();
  };

  if (!loaded) return <p>{t.loading}</p>;

  const whenText = doseTime ? (t.timeOfDay[doseTime] ?? "") : "";

  return (
    <form class="stack" onSubmit={save} noValidate>
      <Scale legend={t.pain} name="pain" value={form.pain_score} max={10} onPick={(n) => set("pain_score", n)} />

      <fieldset class="scale">
        <legend>{t.headache}</legend>
        <div class="choices n4">
          {t.headacheLevels.map((label, n) => (
            <button type="button" class="choice wide" aria-pressed={form.headache === n} onClick={() => set("headache", n)}>
              {label}
            </button>
          ))}
        </div>
      </fieldset>

      {form.headache !== null && form.headache > 0 ? (
        <fieldset class="scale">
          <legend>{t.migraine}</legend>
          <div class="choices n2">
            <button type="button" class="choice wide" aria-pressed={form.migraine === true} onClick={() => set("migraine", form.migraine === true ? null : true)}>
              {t.yes}
            </button>
            <button type="button" class="choice wide" aria-pressed={form.migraine === false} onClick={() => set("migraine", form.migraine === false ? null : false)}>
              {t.no}
            </button>
          </div>
        </fieldset>
      ) : null}

      <Scale legend={t.sleep} name="sleep" value={form.sleep_quality} max={10} onPick={(n) => set("sleep_quality", n)} />

      <fieldset class="scale">
        <legend>{t.dose}</legend>
        {dose ? (
          <p class="banner ok" data-testid="dose-logged">
            {t.doseLogged(fmtMg(Number(dose.mg ?? 0)))}
          </p>
        ) : (
          <button type="button" class="choice wide toggle" aria-pressed={tookDose} onClick={() => setTookDose(!tookDose)}>
            {planned || doseMg ? t.tookDose(fmtMg(Number(doseMg || planned?.mg || 0)), whenText) : t.tookDoseNoPlan}
          </button>
        )}
        {!dose && tookDose && (details || !planned) ? (
          <div class="row">
            <label class="field">
              <span>{t.doseAmount}</span>
              <input type="number" inputMode="decimal" min="0.1" max="50" step="0.1" value={doseMg} onInput={(e) => setDoseMg(e.currentTarget.value)} />
            </label>
            <label class="field">
              <span>{t.doseTime}</span>
              <select value={doseTime} onChange={(e) => setDoseTime(e.currentTarget.value)}>
                <option value="">—</option>
                {["morning", "bedtime", "other"].map((k) => (
                  <option value={k}>{t.timeOfDayLabel[k]}</option>
                ))}
              </select>
            </label>
          </div>
        ) : null}
      </fieldset>

      <fieldset class="scale">
        <legend>{t.sideEffects}</legend>
        <div class="chips">
          {SIDE_EFFECT_KINDS.map((kind) => (
            <button type="button" class="chip" aria-pressed={form.side_effects.some((s) => s.kind === kind)} onClick={() => toggleSideEffect(kind)}>
              {t.sideEffectNames[kind]}
            </button>
          ))}
        </div>
        {form.side_effects.map((s) => (
          <fieldset class="sub">
            <legend>{t.sideEffectNames[s.kind]}</legend>
            <div class="choices n3">
              {[1, 2, 3].map((n) => (
                <button type="button" class="choice wide" aria-pressed={s.severity === n} onClick={() => updateSideEffect(s.kind, { severity: n })}>
                  {t.severities[n]}
                </button>
              ))}
            </div>
            <label class="check">
              <input type="checkbox" checked={s.limited_activities} onChange={(e) => updateSideEffect(s.kind, { limited_activities: e.currentTarget.checked })} />
              <span>{t.limitedActivities}</span>
            </label>
            {s.kind === "other" ? (
              <label class="field">
                <span>{t.otherSideEffect}</span>
                <input maxLength={200} value={s.other_text} onInput={(e) => updateSideEffect(s.kind, { other_text: e.currentTarget.value })} />
              </label>
            ) : null}
          </fieldset>
        ))}
      </fieldset>

      <button type="button" class="secondary" aria-expanded={details} aria-controls="details" onClick={() => setDetails(!details)}>
        {details ? t.fewerDetails : t.moreDetails}
      </button>

      {details ? (
        <div id="details" class="stack">
          <label class="field">
            <span>{t.headacheHours}</span>
            <input
              type="number"
              inputMode="decimal"
              min="0"
              max="24"
              step="0.5"
              value={form.headache_hours ?? ""}
              onInput={(e) => set("headache_hours", e.currentTarget.value === "" ? null : Number(e.currentTarget.value))}
            />
          </label>
          <fieldset class="scale">
            <legend>{t.migraineFeatures}</legend>
            {FEATURES.map((f: Feature) => (
              <label class="check">
                <input type="checkbox" checked={form[f] === true} onChange={(e) => set(f, e.currentTarget.checked ? true : null)} />
                <span>{t.features[f]}</span>
              </label>
            ))}
            <label class="field">
              <span>{t.auraMinutes}</span>
              <input
                type="number"
                inputMode="numeric"
                min="0"
                max="1440"
                value={form.aura_minutes ?? ""}
                onInput={(e) => set("aura_minutes", e.currentTarget.value === "" ? null : Number(e.currentTarget.value))}
              />
            </label>
          </fieldset>
          <fieldset class="scale">
            <legend>{t.medicines}</legend>
            {form.acute_medications.map((m, i) => (
              <div class="med stack">
                <label class="field">
                  <span>{t.medicineClass}</span>
                  <select value={m.med_class} onChange={(e) => updateMed(i, { med_class: e.currentTarget.value })}>
                    {MEDICINE_CLASSES.map((c) => (
                      <option value={c}>{t.medicineClasses[c]}</option>
                    ))}
                  </select>
                </label>
                <label class="field">
                  <span>{t.medicineName}</span>
                  <input maxLength={100} value={m.name} onInput={(e) => updateMed(i, { name: e.currentTarget.value })} />
                </label>
                {m.med_class === "combination_analgesic" ? (
                  <label class="check">
                    <input type="checkbox" checked={m.contains_opioid === true} onChange={(e) => updateMed(i, { contains_opioid: e.currentTarget.checked })} />
                    <span>{t.containsOpioid}</span>
                  </label>
                ) : null}
                <button
                  type="button"
                  class="link"
                  onClick={() => set("acute_medications", form.acute_medications.filter((_, j) => j !== i))}
                >
                  {t.removeMedicine}
                </button>
              </div>
            ))}
            <button
              type="button"
              class="secondary"
              onClick={() => set("acute_medications", [...form.acute_medications, { med_class: "non_opioid_analgesic", name: "", contains_opioid: null }])}
            >
              {t.addMedicine}
            </button>
          </fieldset>
          <label class="field">
            <span>{t.note}</span>
            <textarea maxLength={2000} rows={3} value={form.note} onInput={(e) => set("note", e.currentTarget.value)} />
          </label>
        </div>
      ) : null}

      {opioid ? (
        <section class="warning" role="alert" data-testid="opioid-warning">
          <h2>{t.opioidWarningTitle}</h2>
          <p>{t.opioidWarning}</p>
        </section>
      ) : null}

      {message ? <p class="error" role="alert">{message}</p> : null}
      <div class="savebar">
        <button type="submit" class="primary big" aria-disabled={!canSave}>
          {t.save}
        </button>
        <p role="status" data-testid="day-status" class="small">
          {status === "phone" ? t.savedOnPhone : status === "synced" ? t.synced : ""}
        </p>
      </div>
    </form>
  );
}
