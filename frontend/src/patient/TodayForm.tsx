// One diary day: the core on one screen (a typical day is four taps and Save), the details
// on demand, the opioid warning the moment an opioid is chosen (scrolled clear of the
// Save bar), the logged dose with Change and Delete, "Did you mean …?" for an amount far
// from the plan, what the server refused with Fix and Discard, and what the patient typed
// kept as a draft until Save (a tab switch or a reload loses nothing).
import { useEffect, useRef, useState } from "preact/hooks";
import { takeDay } from "../boot";
import { formatDay } from "../dates";
import { db } from "../db";
import { RadioGroup, ToggleBar } from "../radio";
import { HEADACHE_CONDITIONS } from "../rules.gen";
import { t } from "../strings";
import { changeDose, discardChange, newId, onSyncChange, replay, saveDay } from "../sync";
import { isOpioid, SIDE_EFFECT_KINDS, type EntryData, type LocalDose, type OutboxItem, type Plan, type SideEffect, type SideEffectKind, timeOfDay } from "../types";
import { dayProblems, doseProblems, doseSuggestions, parseAmount, type Problem } from "../validate";
import { type Draft, draftDrop, draftKnown, draftRead, draftWrite } from "./drafts";
import { Medicines } from "./Medicines";
import { mgText } from "./PlanLine";
import {
  alwaysHeadache,
  dayWords,
  emptyForm,
  FEATURES,
  type Feature,
  type Form,
  hasDetails,
  plannedOn,
  type Question,
  refusalLines,
  refusedOf,
  statusOf,
} from "./todayModel";
import { Confirm, DidYouMean, DoseEditor, DoseFields, focusField, OpioidWarning, RefusedCard, revealAboveBars } from "./TodayParts";

export function TodayForm(props: { date: string; today: string; max: string; plan: Plan | null; condition: string | null }) {
  const { date, today, max, plan, condition } = props;
  const words = dayWords(date, today);
  // The first Today of a page load starts with the day as stored, read as the app opened
  // (boot.ts): the form is never shown empty and then filled under the patient's taps.
  const [stored] = useState(() => takeDay(date));
  const [initialDraft] = useState<Draft | null | undefined>(() =>
    stored ? ((stored.draft as Draft | null) ?? draftKnown(date) ?? null) : draftKnown(date),
  );
  const startData = initialDraft?.form ?? stored?.entry?.data ?? null;
  const [form, setForm] = useState<Form>(() => (startData ? { ...emptyForm(), ...(startData as Partial<Form>) } : emptyForm()));
  const [clientId, setClientId] = useState<string>(() => stored?.entry?.data.client_id || newId());
  const [dose, setDose] = useState<LocalDose | null>(stored?.dose ?? null);
  const [tookDose, setTookDose] = useState(initialDraft?.tookDose ?? false);
  const planned = plannedOn(plan, date);
  const [doseMg, setDoseMg] = useState<string>(initialDraft?.doseMg ?? "");
  const [doseTime, setDoseTime] = useState<string>(initialDraft?.doseTime ?? "");
  const [doseFields, setDoseFields] = useState(!!initialDraft?.doseMg && initialDraft.doseMg !== String(planned?.mg ?? ""));
  const [details, setDetails] = useState(() => hasDetails(startData as Partial<Form>));
  const [status, setStatus] = useState<"none" | "phone" | "synced">(statusOf(stored?.entry));
  const [outbox, setOutbox] = useState<OutboxItem[]>(stored?.outbox ?? []);
  const [problems, setProblems] = useState<Problem[]>([]);
  const [message, setMessage] = useState("");
  const [saved, setSaved] = useState(false); // the confirmation after Save, until the next change
  const [drafted, setDrafted] = useState(!!initialDraft);
  const [question, setQuestion] = useState<Question | null>(null);
  const [editingDose, setEditingDose] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [discarding, setDiscarding] = useState<OutboxItem | null>(null);
  const [loaded, setLoaded] = useState(stored !== null && initialDraft !== undefined);
  const root = useRef<HTMLFormElement>(null);
  const opioidBox = useRef<HTMLElement>(null);

  // Until the patient touches the form, it follows the phone's copy (which a pull of
  // another device's edit, or a sync, may change); a draft counts as touched.
  const dirty = useRef(!!initialDraft);

  const load = async () => {
    const d = await db();
    const tx = d.transaction(["entries", "doses", "outbox"]); // one round trip for all three
    const [entry, savedDose, items] = await Promise.all([
      tx.objectStore("entries").get(date),
      tx.objectStore("doses").get(date),
      tx.objectStore("outbox").getAll(),
    ]);
    const draft = await draftRead(date);
    setStatus(statusOf(entry));
    setDose(savedDose ?? null);
    setOutbox(items.filter((i) => i.date === date && i.kind !== "questionnaire")); // a questionnaire waits in its own card
    if (draft && !dirty.current) {
      dirty.current = true;
      setDrafted(true);
      setForm({ ...emptyForm(), ...(draft.form as Partial<Form>) });
      setTookDose(draft.tookDose);
      setDoseMg(draft.doseMg);
      setDoseTime(draft.doseTime);
      if (hasDetails(draft.form as Partial<Form>)) setDetails(true);
    } else if (entry && !dirty.current) {
      setForm({ ...emptyForm(), ...entry.data });
      if (hasDetails(entry.data)) setDetails(true);
    }
    if (entry) setClientId(entry.data.client_id || newId());
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

  const opioid = form.acute_medications.some(isOpioid);
  useEffect(() => {
    // Chosen just now, or saved with it (the Save bar has grown a confirmation line): bring
    // the warning into view, clear of the fixed Save and tab bars (html's scroll-padding).
    if (opioid) revealAboveBars(opioidBox.current);
  }, [opioid, saved]);

  /** Keep what the patient typed (memory and IndexedDB) until Save or Discard changes. */
  const keep = (next: Partial<Draft>) => {
    dirty.current = true;
    setSaved(false);
    setDrafted(true);
    draftWrite({ date, form: form as unknown as Record<string, unknown>, tookDose, doseMg, doseTime, at: Date.now(), ...next });
  };

  const set = <K extends keyof Form>(key: K, value: Form[K]) => {
    const next = { ...form, [key]: value };
    setForm(next);
    setProblems((ps) => ps.filter((p) => p.field !== key));
    keep({ form: next as unknown as Record<string, unknown> });
  };
  const pickDose = (took: boolean, mg: string, time: string) => {
    setTookDose(took);
    setDoseMg(mg);
    setDoseTime(time);
    setProblems((ps) => ps.filter((p) => p.field !== "mg"));
    keep({ tookDose: took, doseMg: mg, doseTime: time });
  };

  const discardDraft = async () => {
    await draftDrop(date);
    dirty.current = false;
    setDrafted(false);
    setProblems([]);
    setTookDose(false);
    setDoseMg(planned ? String(planned.mg) : "");
    setDoseTime(planned?.time_of_day ?? "");
    setForm(emptyForm());
    await load();
  };

  const toggleSideEffect = (kind: SideEffectKind) => {
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

  const headacheDefault = condition !== null && (HEADACHE_CONDITIONS as readonly string[]).includes(condition);

  /** Ask "Did you mean …?" when the amount is far from the plan; resolves to the amount to
   * use, or null when the patient goes back to change it. */
  const confirmAmount = (mg: number): Promise<number | null> => {
    const suggestions = doseSuggestions(mg, planned?.mg ?? null);
    if (!suggestions.length) return Promise.resolve(mg);
    return new Promise((resolve) =>
      setQuestion({
        mg,
        planned: planned?.mg ?? null,
        suggestions,
        answer: (chosen) => {
          setQuestion(null);
          resolve(chosen);
        },
      }),
    );
  };

  const show = (found: Problem[]) => {
    setProblems(found);
    setMessage(found.length ? t.fixBeforeSaving : "");
    const first = found[0]?.field;
    if (!first) return;
    if (first === "mg") setDoseFields(true);
    if (/^(headache_hours|aura_minutes|note|acute_medications)/.test(first)) setDetails(true);
    window.setTimeout(() => focusField(root.current, first), 0);
  };

  const canSave = form.pain_score !== null && form.headache !== null;

  const save = async (e: Event) => {
    e.preventDefault();
    const data: EntryData = {
      ...form,
      pain_score: form.pain_score as number,
      headache: form.headache as number,
      note: form.note.trim(),
      side_effects: form.side_effects.map((s) => ({ ...s, other_text: s.kind === "other" ? s.other_text.trim() : "" })),
      acute_medications: form.acute_medications.map((m) => ({
        ...m,
        name: m.name.trim(),
        for_headache: alwaysHeadache(m.med_class) ? true : (m.for_headache ?? headacheDefault),
        contains_opioid: m.med_class === "combination_analgesic" ? m.contains_opioid === true : m.med_class === "opioid" ? true : null,
      })),
      client_id: clientId,
    };
    const found = canSave ? dayProblems(date, max, data) : [];
    if (!canSave) {
      if (form.pain_score === null) found.push({ field: "pain_score", text: t.needPain });
      if (form.headache === null) found.push({ field: "headache", text: t.needHeadache });
    }
    const newDose = tookDose && !dose;
    let mg = newDose ? parseAmount(doseMg) : null;
    if (newDose) found.push(...doseProblems(true, mg, planned?.mg ?? null));
    if (found.length) {
      show(found);
      return;
    }
    if (newDose && mg !== null) {
      mg = await confirmAmount(mg);
      if (mg === null) {
        setDoseFields(true);
        window.setTimeout(() => focusField(root.current, "mg"), 0);
        return;
      }
    }
    setProblems([]);
    setMessage("");
    const doseData = newDose ? { client_id: newId(), date, taken: true, mg, time_of_day: timeOfDay(doseTime) } : null;
    await saveDay(date, data, doseData);
    await draftDrop(date);
    dirty.current = false;
    setDrafted(false);
    setTookDose(false);
    setSaved(true);
    await load();
    void replay();
  };

  if (!loaded) return <p>{t.loading}</p>;

  const whenText = doseTime ? (t.timeOfDay[doseTime] ?? "") : "";
  const problemOf = (field: string) => problems.find((p) => p.field === field)?.text;
  const refused = refusedOf(outbox);
  const fieldError = (field: string) => {
    const text = problemOf(field);
    return text ? (
      <p class="field-error" id={`err-${field}`} role="alert">
        {text}
      </p>
    ) : null;
  };

  return (
    <form class="stack" onSubmit={save} noValidate ref={root}>
      {refused.map((item) => (
        <RefusedCard
          item={item}
          date={date}
          onFix={(field) => {
            if (item.kind === "dose") setEditingDose(true);
            show([{ field: field || (item.kind === "dose" ? "mg" : "pain_score"), text: refusalLines(item)[0].text }]);
          }}
          onDiscard={() => setDiscarding(item)}
        />
      ))}
      {drafted ? (
        <div class="banner warn draftbar" data-testid="draft-notice">
          <p>{t.draftKept}</p>
          <button type="button" class="link" onClick={() => void discardDraft()}>
            {t.discardDraft}
          </button>
        </div>
      ) : null}

      <div data-field="pain_score">
        <RadioGroup
          legend={t.pain(words.on)}
          options={Array.from({ length: 11 }, (_, n) => ({ value: n, label: String(n) }))}
          value={form.pain_score}
          onPick={(n) => set("pain_score", n)}
          layout="n11"
          invalid={!!problemOf("pain_score")}
          describedBy={problemOf("pain_score") ? "err-pain_score" : undefined}
        />
        {fieldError("pain_score")}
      </div>

      <div data-field="headache">
        <RadioGroup
          legend={t.headache(words.kind, words.on)}
          options={t.headacheLevels.map((label, n) => ({ value: n, label }))}
          value={form.headache}
          onPick={(n) => set("headache", n)}
          layout="n4"
          wide
          invalid={!!problemOf("headache")}
          describedBy={problemOf("headache") ? "err-headache" : undefined}
        />
        {fieldError("headache")}
      </div>

      {form.headache !== null && form.headache > 0 ? (
        <RadioGroup
          legend={t.migraine}
          options={[
            { value: true, label: t.yes },
            { value: false, label: t.no },
          ]}
          value={form.migraine}
          onPick={(v) => set("migraine", v)}
          layout="n2"
          wide
        />
      ) : null}

      <div data-field="sleep_quality">
        <RadioGroup
          legend={t.sleep(words.kind, words.on)}
          options={Array.from({ length: 11 }, (_, n) => ({ value: n, label: String(n) }))}
          value={form.sleep_quality}
          onPick={(n) => set("sleep_quality", n)}
          layout="n11"
        />
        {fieldError("sleep_quality")}
      </div>

      <fieldset class="scale" data-field="mg">
        <legend>{t.dose(words.kind === "today" ? "" : words.on)}</legend>
        {dose && !editingDose ? (
          <>
            <p class="banner ok" data-testid="dose-logged">
              {dose.taken ? t.doseLogged(mgText(Number(dose.mg ?? 0))) : t.doseMissedLogged}
            </p>
            <div class="buttons">
              <button type="button" class="secondary" onClick={() => setEditingDose(true)}>
                {t.changeDose}
              </button>
              <button type="button" class="secondary danger-outline" onClick={() => setDeleting(true)}>
                {t.deleteDose}
              </button>
            </div>
          </>
        ) : dose && editingDose ? (
          <DoseEditor
            dose={dose}
            planned={planned}
            confirmAmount={confirmAmount}
            onDone={() => {
              setEditingDose(false);
              setProblems((ps) => ps.filter((p) => p.field !== "mg"));
              void load();
            }}
            refusedText={problemOf("mg")}
          />
        ) : (
          <>
            <button
              type="button"
              class="choice wide toggle"
              aria-pressed={tookDose}
              onClick={() => pickDose(!tookDose, doseMg, doseTime)}
            >
              {planned || doseMg ? t.tookDose(mgText(Number(parseAmount(doseMg) || planned?.mg || 0)), whenText) : t.tookDoseNoPlan}
            </button>
            {tookDose && !doseFields && planned ? (
              <button type="button" class="link" onClick={() => setDoseFields(true)}>
                {t.otherAmount}
              </button>
            ) : null}
            {tookDose && (doseFields || details || !planned) ? (
              <DoseFields
                mg={doseMg}
                time={doseTime}
                error={problemOf("mg")}
                onMg={(v) => pickDose(true, v, doseTime)}
                onTime={(v) => pickDose(true, doseMg, v)}
              />
            ) : null}
          </>
        )}
      </fieldset>

      <ToggleBar
        label={words.kind === "today" ? t.sideEffects : t.sideEffectsOn(words.on)}
        items={SIDE_EFFECT_KINDS.map((kind) => ({
          key: kind,
          label: t.sideEffectNames[kind],
          pressed: form.side_effects.some((s) => s.kind === kind),
        }))}
        onToggle={toggleSideEffect}
      />
      {form.side_effects.map((s, i) => (
        <fieldset class="sub">
          <legend>{t.sideEffectNames[s.kind]}</legend>
          <RadioGroup
            legend={<span class="visually-hidden">{t.severityOf(t.sideEffectNames[s.kind])}</span>}
            options={[1, 2, 3].map((n) => ({ value: n, label: t.severities[n] }))}
            value={s.severity}
            onPick={(n) => updateSideEffect(s.kind, { severity: n })}
            layout="n3"
            wide
          />
          <label class="check">
            <input type="checkbox" checked={s.limited_activities} onChange={(e) => updateSideEffect(s.kind, { limited_activities: e.currentTarget.checked })} />
            <span>{t.limitedActivities}</span>
          </label>
          {s.kind === "other" ? (
            <div data-field={`side_effects.${i}.other_text`}>
              <label class="field">
                <span>{t.otherSideEffect}</span>
                <input
                  maxLength={200}
                  value={s.other_text}
                  aria-invalid={problemOf(`side_effects.${i}.other_text`) ? "true" : undefined}
                  aria-describedby={problemOf(`side_effects.${i}.other_text`) ? `err-side_effects.${i}.other_text` : undefined}
                  onInput={(e) => updateSideEffect(s.kind, { other_text: e.currentTarget.value })}
                />
              </label>
              {fieldError(`side_effects.${i}.other_text`)}
            </div>
          ) : null}
        </fieldset>
      ))}

      <button type="button" class="secondary" aria-expanded={details} aria-controls="details" onClick={() => setDetails(!details)}>
        {details ? t.fewerDetails : t.moreDetails}
      </button>

      {details ? (
        <div id="details" class="stack">
          <div data-field="headache_hours">
            <label class="field">
              <span>{t.headacheHours}</span>
              <input
                type="number"
                inputMode="decimal"
                min="0"
                max="24"
                step="0.5"
                value={form.headache_hours ?? ""}
                aria-invalid={problemOf("headache_hours") ? "true" : undefined}
                onInput={(e) => set("headache_hours", e.currentTarget.value === "" ? null : Number(e.currentTarget.value))}
              />
            </label>
            {fieldError("headache_hours")}
          </div>
          <fieldset class="scale">
            <legend>{t.migraineFeatures}</legend>
            {FEATURES.map((f: Feature) => (
              <label class="check">
                <input type="checkbox" checked={form[f] === true} onChange={(e) => set(f, e.currentTarget.checked ? true : null)} />
                <span>{t.features[f]}</span>
              </label>
            ))}
            <div data-field="aura_minutes">
              <label class="field">
                <span>{t.auraMinutes}</span>
                <input
                  type="number"
                  inputMode="numeric"
                  min="0"
                  max="1440"
                  value={form.aura_minutes ?? ""}
                  aria-invalid={problemOf("aura_minutes") ? "true" : undefined}
                  onInput={(e) => set("aura_minutes", e.currentTarget.value === "" ? null : Number(e.currentTarget.value))}
                />
              </label>
              {fieldError("aura_minutes")}
            </div>
          </fieldset>
          <Medicines
            meds={form.acute_medications}
            headacheDefault={headacheDefault}
            opioid={opioid}
            opioidBox={opioidBox}
            onChange={(meds) => set("acute_medications", meds)}
          />
          <label class="field">
            <span>{t.note}</span>
            <textarea maxLength={2000} rows={3} value={form.note} onInput={(e) => set("note", e.currentTarget.value)} />
          </label>
        </div>
      ) : opioid ? (
        <OpioidWarning box={opioidBox} />
      ) : null}

      {message ? (
        <p class="error" role="alert" data-testid="form-problem">
          {message}
        </p>
      ) : null}
      <div class="savebar">
        {saved ? (
          <p class="banner ok saved" data-testid="save-confirmation">
            {status === "synced" ? t.savedConfirm(words.kind, words.on) : t.savedConfirmPhone(words.kind, words.on)}
            {opioid ? ` ${t.savedReadOpioid}` : ""}
          </p>
        ) : null}
        <button type="submit" class="primary big" aria-disabled={!canSave}>
          {t.save}
        </button>
        <p role="status" data-testid="day-status" class="small">
          {status === "phone" ? t.savedOnPhone : status === "synced" ? t.synced : ""}
        </p>
      </div>

      {question ? <DidYouMean question={question} /> : null}
      {deleting && dose ? (
        <Confirm
          title={t.deleteDoseTitle(mgText(Number(dose.mg ?? 0)), words.on)}
          text={t.deleteDoseExplain}
          confirm={t.deleteDose}
          onCancel={() => setDeleting(false)}
          onConfirm={async () => {
            setDeleting(false);
            await changeDose(date, null);
            await load();
            void replay();
          }}
        />
      ) : null}
      {discarding ? (
        <Confirm
          title={t.discardTitle(formatDay(date))}
          text={t.discardExplain}
          confirm={t.discardConfirm}
          onCancel={() => setDiscarding(null)}
          onConfirm={async () => {
            const item = discarding;
            setDiscarding(null);
            await discardChange(item.key);
            await draftDrop(date);
            dirty.current = false;
            setDrafted(false);
            setProblems([]);
            setMessage("");
            setForm(emptyForm());
            await load();
          }}
        />
      ) : null}
    </form>
  );
}

