// The plan editor (from a template or custom; §5 warnings before saving), stopping a plan
// with a reason, and the reported baseline.
import { useEffect, useState } from "preact/hooks";
import { addDays, calendarDate } from "../dates";
import { c } from "../strings-clinician";
import { ErrorLine, fmtDate, fmtMg, getJson, label, problemText, send, Status } from "./common";
import type { PlanBody, PlanCheck, PlanTemplate, SectionProps, TimeOfDay, Warning } from "./types";

interface EditStep {
  start_date: string;
  mg: string;
  time_of_day: TimeOfDay | "";
}

/** Today in the patient's time zone: plans and stops are dated on the patient's calendar
 * (the server refuses a stop after the patient's today), whatever the clinician's zone. */
function patientToday(detail: SectionProps["detail"]): string {
  return calendarDate(detail.patient.time_zone);
}

/** A template's steps from `first` on (each starts `start_day` days after the plan's first day). */
function fromTemplate(template: PlanTemplate, first: string): EditStep[] {
  return template.steps.map((s) => ({ start_date: addDays(first, s.start_day), mg: String(s.mg), time_of_day: "" }));
}

function Warnings({ warnings, title }: { warnings: Warning[]; title: string }) {
  return (
    <div class="banner warn" data-testid="plan-warnings">
      <p>
        <strong>{title}</strong>
      </p>
      <ul>
        {warnings.map((w) => (
          <li>{w.message}</li>
        ))}
      </ul>
    </div>
  );
}

function PlanForm({ detail, reloadDetail }: SectionProps) {
  const id = detail.patient.id;
  const who = detail.patient.display_name || detail.patient.email;
  const current = detail.plan.plan && !detail.plan.plan.stopped_on ? detail.plan.plan : null;
  const [templates, setTemplates] = useState<PlanTemplate[]>([]);
  const [templateKey, setTemplateKey] = useState("");
  const [first, setFirst] = useState(() => patientToday(detail));
  const [target, setTarget] = useState(current ? String(Number(current.target_mg)) : "4.5");
  const [weeks, setWeeks] = useState(current?.decision_weeks ?? 12);
  const [steps, setSteps] = useState<EditStep[]>(
    current
      ? current.steps.map((s) => ({ start_date: s.start_date, mg: String(Number(s.mg)), time_of_day: s.time_of_day ?? "" }))
      : [{ start_date: patientToday(detail), mg: "1.5", time_of_day: "" }],
  );
  // The warnings of the last check; with `body`, the checked plan awaiting "Save anyway".
  const [checked, setChecked] = useState<{ list: Warning[]; body: PlanBody | null } | null>(null);
  const [error, setError] = useState("");
  const [done, setDone] = useState("");
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    getJson<PlanTemplate[]>("/plan-templates").then(setTemplates, () => setTemplates([]));
  }, []);

  const body = (): PlanBody => ({
    target_mg: Number(target),
    decision_weeks: weeks,
    steps: steps.map((s) => ({ start_date: s.start_date, mg: Number(s.mg), time_of_day: s.time_of_day || null })),
  });
  const changed = () => {
    setChecked(null);
    setDone("");
  };
  const edit = (i: number, patch: Partial<EditStep>) => {
    setSteps(steps.map((s, j) => (j === i ? { ...s, ...patch } : s)));
    changed();
  };
  const applyTemplate = () => {
    const template = templates.find((x) => x.key === templateKey);
    if (!template) return;
    setSteps(fromTemplate(template, first));
    setTarget(String(template.target_mg));
    setWeeks(template.decision_weeks);
    changed();
  };
  /** The server's check of `plan` (the same warnings and 400s as saving): null on a 400. */
  const check = async (plan: PlanBody): Promise<Warning[] | null> => {
    const reply = await send<PlanCheck>("POST", `/patients/${encodeURIComponent(id)}/plan/check`, plan);
    if (reply.ok) return reply.body.warnings;
    setError(problemText(reply));
    return null;
  };
  const save = async (plan: PlanBody, confirmed: boolean) => {
    const reply = await send("PUT", `/patients/${encodeURIComponent(id)}/plan`, plan);
    if (reply.status === 200 || reply.status === 201) {
      setChecked(null);
      setDone(confirmed ? c.planSavedWarnings : c.planSaved);
      reloadDetail();
    } else setError(problemText(reply));
  };
  const run = async (what: "check" | "save" | "confirm") => {
    setError("");
    setDone("");
    // "Check" does not submit the form, so the browser's own check of a blank field does not
    // run: a blank amount would go out as 0 and come back as a minimum, not as missing.
    const blank = steps.findIndex((s) => s.mg.trim() === "");
    if (what !== "confirm" && (target.trim() === "" || blank >= 0)) {
      setError(blank >= 0 ? c.stepDoseMissing(blank + 1) : c.targetMissing);
      return;
    }
    setBusy(true);
    if (what === "confirm" && checked?.body) {
      await save(checked.body, true);
    } else {
      const plan = body();
      const warnings = await check(plan);
      if (warnings === null) setChecked(null);
      else if (what === "check") {
        setChecked({ list: warnings, body: null });
        if (!warnings.length) setDone(c.checkOk);
      } else if (warnings.length) setChecked({ list: warnings, body: plan }); // ask first
      else await save(plan, false);
    }
    setBusy(false);
  };

  return (
    <form
      class="card stack"
      aria-labelledby="plan-title"
      onSubmit={(e) => {
        e.preventDefault();
        void run("save");
      }}
    >
      <h2 id="plan-title">{c.planTitle}</h2>
      {templates.length ? (
        <div class="filters">
          <label class="field">
            <span>{c.template}</span>
            <select value={templateKey} onChange={(e) => setTemplateKey(e.currentTarget.value)}>
              <option value="">{c.templateCustom}</option>
              {templates.map((x) => (
                <option value={x.key}>{x.label}</option>
              ))}
            </select>
          </label>
          <label class="field">
            <span>{c.templateStart}</span>
            <input type="date" value={first} onInput={(e) => setFirst(e.currentTarget.value)} />
          </label>
          <button type="button" disabled={!templateKey} onClick={applyTemplate}>
            {c.useTemplate}
          </button>
        </div>
      ) : null}
      <div class="row">
        <label class="field">
          <span>{c.targetDose}</span>
          <input
            type="number"
            inputMode="decimal"
            step="0.25"
            min="0.25"
            max="50"
            value={target}
            aria-describedby="target-hint"
            onInput={(e) => (setTarget(e.currentTarget.value), changed())}
          />
          <span id="target-hint" class="muted small">
            {c.targetHint(fmtMg(target))}
          </span>
        </label>
        <label class="field">
          <span>{c.decisionWeeks}</span>
          <select value={String(weeks)} onChange={(e) => (setWeeks(Number(e.currentTarget.value)), changed())}>
            {[8, 9, 10, 11, 12].map((n) => (
              <option value={String(n)}>{c.weeks(n)}</option>
            ))}
          </select>
        </label>
      </div>
      <fieldset>
        <legend>{c.stepsLegend}</legend>
        <ol class="steps">
          {steps.map((s, i) => (
            <li class="stepedit" data-testid="plan-step">
              <span class="stepnum">{c.stepN(i + 1)}</span>
              <label class="field">
                <span>{c.stepStart}</span>
                <input type="date" required value={s.start_date} aria-describedby={`step-${i}-n`} onInput={(e) => edit(i, { start_date: e.currentTarget.value })} />
              </label>
              <label class="field">
                <span>{c.stepMg}</span>
                <input type="number" inputMode="decimal" step="0.25" min="0.25" max="50" required value={s.mg} onInput={(e) => edit(i, { mg: e.currentTarget.value })} />
              </label>
              <label class="field">
                <span>{c.stepTime}</span>
                <select value={s.time_of_day} onChange={(e) => edit(i, { time_of_day: e.currentTarget.value as TimeOfDay | "" })}>
                  <option value="">{c.timeUnset}</option>
                  {Object.entries(c.timeNames).map(([v, n]) => (
                    <option value={v}>{n}</option>
                  ))}
                </select>
              </label>
              <span id={`step-${i}-n`} class="visually-hidden">
                {c.stepN(i + 1)}
              </span>
              <button
                type="button"
                aria-label={c.removeStep(i + 1)}
                disabled={steps.length === 1}
                onClick={() => {
                  setSteps(steps.filter((_, j) => j !== i));
                  changed();
                }}
              >
                ×
              </button>
            </li>
          ))}
        </ol>
        <button
          type="button"
          onClick={() => {
            const last = steps[steps.length - 1];
            setSteps([...steps, { start_date: last ? addDays(last.start_date, 7) : patientToday(detail), mg: last?.mg ?? "1.5", time_of_day: last?.time_of_day ?? "" }]);
            changed();
          }}
        >
          {c.addStep}
        </button>
      </fieldset>
      <ErrorLine text={error} testId="plan-error" />
      <div role="status" aria-live="polite">
        {done ? <p class="banner ok" data-testid="plan-done">{done}</p> : null}
        {checked?.list.length ? <Warnings warnings={checked.list} title={checked.body ? c.confirmTitle(who) : c.warningsTitle} /> : null}
      </div>
      {checked?.body ? (
        <div class="buttons" data-testid="plan-confirm">
          <button type="button" onClick={() => setChecked(null)}>
            {c.backToEdit}
          </button>
          <button type="button" class="primary" disabled={busy} onClick={() => void run("confirm")}>
            {c.saveAnyway}
          </button>
        </div>
      ) : (
        <div class="buttons">
          <button type="button" disabled={busy} onClick={() => void run("check")}>
            {c.check}
          </button>
          <button type="submit" class="primary" disabled={busy}>
            {c.savePlan}
          </button>
        </div>
      )}
    </form>
  );
}

function StopForm({ detail, reloadDetail }: SectionProps) {
  const plan = detail.plan.plan;
  const [on, setOn] = useState(() => patientToday(detail));
  const [reason, setReason] = useState("side_effects");
  const [note, setNote] = useState("");
  const [error, setError] = useState("");
  // Stopping ends the patient's planned doses: the first press asks, the second stops.
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  if (!plan) return null;
  if (plan.stopped_on) {
    return (
      <section class="card">
        <p data-testid="plan-stopped">{c.planStoppedOn(fmtDate(plan.stopped_on), label(c.stopReasons, plan.stop_reason))}</p>
      </section>
    );
  }
  const edited = () => {
    setConfirming(false);
    setError("");
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!confirming) {
      setConfirming(true);
      return;
    }
    setBusy(true);
    const reply = await send("POST", `/patients/${encodeURIComponent(detail.patient.id)}/plan/stop`, { stopped_on: on, reason, note });
    setBusy(false);
    if (reply.status === 200) reloadDetail();
    else {
      setConfirming(false);
      setError(problemText(reply));
    }
  };
  const who = detail.patient.display_name || detail.patient.email;
  return (
    <form class="card stack" aria-labelledby="stop-title" onSubmit={submit}>
      <h2 id="stop-title">{c.stopTitle}</h2>
      <label class="field">
        <span>{c.stopOn}</span>
        <input type="date" required value={on} onInput={(e) => (setOn(e.currentTarget.value), edited())} />
      </label>
      <fieldset>
        <legend>{c.stopReason}</legend>
        {Object.entries(c.stopReasons).map(([value, text]) => (
          <label class="check">
            <input type="radio" name="stop-reason" value={value} checked={reason === value} onChange={() => (setReason(value), edited())} />
            <span>{text}</span>
          </label>
        ))}
      </fieldset>
      <label class="field">
        <span>{c.stopNote}</span>
        <textarea rows={2} maxLength={500} value={note} onInput={(e) => (setNote(e.currentTarget.value), edited())} />
      </label>
      <ErrorLine text={error} />
      <div role="status" aria-live="polite">
        {confirming ? (
          <p class="banner warn" data-testid="stop-confirm">
            {c.stopConfirm(who, fmtDate(on), label(c.stopReasons, reason))}
          </p>
        ) : null}
      </div>
      <div class="buttons">
        {confirming ? (
          <button type="button" onClick={() => setConfirming(false)}>
            {c.cancel}
          </button>
        ) : null}
        <button type="submit" class="danger" disabled={busy}>
          {confirming ? c.stopConfirmButton : c.stopButton}
        </button>
      </div>
    </form>
  );
}

function BaselineForm({ detail }: SectionProps) {
  const b = detail.reported_baseline;
  const [mhd, setMhd] = useState(b ? String(Number(b.monthly_headache_days)) : "");
  const [mmd, setMmd] = useState(b?.monthly_migraine_days ? String(Number(b.monthly_migraine_days)) : "");
  const [pain, setPain] = useState(b?.mean_pain ? String(Number(b.mean_pain)) : "");
  const [note, setNote] = useState(b?.note ?? "");
  const [error, setError] = useState("");
  const [done, setDone] = useState("");
  const submit = async (e: Event) => {
    e.preventDefault();
    setDone("");
    if (!mhd.trim()) {
      setError(c.required(c.baselineMhd));
      return;
    }
    const reply = await send("PUT", `/patients/${encodeURIComponent(detail.patient.id)}/baseline`, {
      monthly_headache_days: mhd,
      monthly_migraine_days: mmd.trim() ? mmd : null,
      mean_pain: pain.trim() ? pain : null,
      note,
    });
    if (reply.status === 200) {
      setError("");
      setDone(c.baselineSaved);
    } else setError(problemText(reply));
  };
  return (
    <form class="card stack" aria-labelledby="baseline-title" onSubmit={submit} noValidate>
      <h2 id="baseline-title">{c.baselineTitle}</h2>
      <p class="muted small">{c.baselineIntro}</p>
      <div class="row3">
        <label class="field">
          <span>{c.baselineMhd}</span>
          <input type="number" inputMode="decimal" min="0" max="28" step="0.5" required value={mhd} onInput={(e) => setMhd(e.currentTarget.value)} />
        </label>
        <label class="field">
          <span>{c.baselineMmd}</span>
          <input type="number" inputMode="decimal" min="0" max="28" step="0.5" value={mmd} onInput={(e) => setMmd(e.currentTarget.value)} />
        </label>
        <label class="field">
          <span>{c.baselinePain}</span>
          <input type="number" inputMode="decimal" min="0" max="10" step="0.1" value={pain} onInput={(e) => setPain(e.currentTarget.value)} />
        </label>
      </div>
      <label class="field">
        <span>{c.baselineNote}</span>
        <input value={note} maxLength={500} onInput={(e) => setNote(e.currentTarget.value)} />
      </label>
      <ErrorLine text={error} />
      <Status text={done} />
      <button type="submit" class="primary">
        {c.saveBaseline}
      </button>
    </form>
  );
}

function CurrentPlan({ detail }: SectionProps) {
  const plan = detail.plan.plan;
  return (
    <section class="card stack" aria-labelledby="current-title">
      <h2 id="current-title">{c.currentPlan}</h2>
      {plan ? (
        <ol data-testid="current-steps">
          {plan.steps.map((s) => (
            <li>
              {fmtDate(s.start_date)}: {c.mg(fmtMg(s.mg))} {s.time_of_day ? `(${label(c.timeNames, s.time_of_day)})` : ""}
            </li>
          ))}
        </ol>
      ) : (
        <p>{c.noPlan}</p>
      )}
    </section>
  );
}

export function PlanEditor(props: SectionProps) {
  const key = props.detail.plan.plan?.stopped_on ?? "open"; // a stop resets the form
  return (
    <div class="stack">
      <CurrentPlan {...props} />
      <PlanForm key={key} {...props} />
      <StopForm {...props} />
      <BaselineForm {...props} />
    </div>
  );
}
