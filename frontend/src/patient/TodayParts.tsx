// The Today form's smaller pieces: the dose fields and editor, "Did you mean …?", the
// confirmation dialog, a refused change's card, the opioid warning, and focus and scroll helpers.
import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { formatDay } from "../dates";
import { t } from "../strings";
import { changeDose, replay } from "../sync";
import { type LocalDose, type OutboxItem, timeOfDay } from "../types";
import { doseProblems, parseAmount } from "../validate";
import { mgText } from "./PlanLine";
import { type Question, refusalLines } from "./todayModel";

/** Scroll `el` into view and then clear of the fixed Save bar, whatever its height now
 * (a confirmation line, a long message: the CSS scroll padding is only an estimate). */
export function revealAboveBars(el: HTMLElement | null): void {
  if (!el) return;
  el.scrollIntoView({ block: "nearest" });
  const bar = document.querySelector(".savebar");
  if (!bar) return;
  const covered = el.getBoundingClientRect().bottom - (bar.getBoundingClientRect().top - 12);
  if (covered > 0) window.scrollBy(0, covered);
}

/** Focus a field by its server path: a radio group's tab stop, else its input. */
export function focusField(root: HTMLElement | null, field: string): void {
  const box = root?.querySelector<HTMLElement>(`[data-field="${field}"]`);
  for (const which of ["input, select, textarea", '[role="radio"][tabindex="0"]', "button"]) {
    const target = box?.querySelector<HTMLElement>(which);
    if (target) return target.focus();
  }
}

export function OpioidWarning({ box }: { box: { current: HTMLElement | null } }) {
  return (
    <section class="warning" role="alert" data-testid="opioid-warning" ref={box}>
      <h2>{t.opioidWarningTitle}</h2>
      <p>{t.opioidWarning}</p>
    </section>
  );
}

export function DoseFields(props: { mg: string; time: string; error?: string; onMg: (v: string) => void; onTime: (v: string) => void }) {
  const { mg, time, error, onMg, onTime } = props;
  return (
    <>
      <div class="row">
        <label class="field">
          <span>{t.doseAmount}</span>
          <input
            type="text"
            inputMode="decimal"
            autocomplete="off"
            value={mg}
            aria-invalid={error ? "true" : undefined}
            aria-describedby={error ? "err-mg" : undefined}
            onInput={(e) => onMg(e.currentTarget.value)}
          />
        </label>
        <label class="field">
          <span>{t.doseTime}</span>
          <select value={time} onChange={(e) => onTime(e.currentTarget.value)}>
            <option value="">—</option>
            {["morning", "bedtime", "other"].map((k) => (
              <option value={k}>{t.timeOfDayLabel[k]}</option>
            ))}
          </select>
        </label>
      </div>
      {error ? (
        <p class="field-error" id="err-mg" role="alert">
          {error}
        </p>
      ) : null}
    </>
  );
}

/** Correct a logged dose: amount and time, checked like a new one, then PATCH (queued). */
export function DoseEditor(props: {
  dose: LocalDose;
  planned: { mg: number; time_of_day: string | null } | null;
  confirmAmount: (mg: number) => Promise<number | null>;
  onDone: () => void;
  refusedText?: string;
}) {
  const { dose, planned, confirmAmount, onDone, refusedText } = props;
  const [mg, setMg] = useState(dose.mg === null ? "" : String(dose.mg));
  const [time, setTime] = useState(dose.time_of_day ?? "");
  const [error, setError] = useState(refusedText ?? "");
  const saveDose = async () => {
    let amount = parseAmount(mg);
    const found = doseProblems(true, amount, planned?.mg ?? null);
    if (found.length || amount === null) {
      setError(found[0]?.text ?? t.doseNeedsAmount);
      return;
    }
    amount = await confirmAmount(amount);
    if (amount === null) return;
    await changeDose(dose.date, { taken: true, mg: amount, time_of_day: timeOfDay(time) });
    void replay();
    onDone();
  };
  return (
    <div class="stack sub-card" data-testid="dose-editor">
      <DoseFields mg={mg} time={time} error={error} onMg={(v) => (setMg(v), setError(""))} onTime={setTime} />
      <div class="buttons">
        <button type="button" class="secondary" onClick={onDone}>
          {t.cancel}
        </button>
        <button type="button" class="primary" onClick={() => void saveDose()}>
          {t.saveDose}
        </button>
      </div>
    </div>
  );
}

/** "Did you mean 1.5 mg?": an amount far from the plan (a slipped decimal point). */
export function DidYouMean({ question }: { question: Question }) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = dialog.current;
    if (d && !d.open) d.showModal();
    return () => d?.close();
  }, []);
  const { mg, planned, suggestions, answer } = question;
  return (
    <dialog ref={dialog} class="dialog stack" aria-labelledby="dym-title" data-testid="did-you-mean" onCancel={() => answer(null)}>
      <h2 id="dym-title">{t.didYouMeanTitle(suggestions.map(mgText))}</h2>
      <p>{planned !== null ? t.didYouMeanPlan(mgText(mg), mgText(planned)) : t.didYouMeanUsual(mgText(mg))}</p>
      <div class="stack">
        {suggestions.map((s) => (
          <button type="button" class="primary" onClick={() => answer(s)}>
            {t.useAmount(mgText(s))}
          </button>
        ))}
        <button type="button" class="secondary" onClick={() => answer(mg)}>
          {t.keepAmount(mgText(mg))}
        </button>
        <button type="button" class="link" onClick={() => answer(null)}>
          {t.changeAmount}
        </button>
      </div>
    </dialog>
  );
}

export function Confirm(props: {
  title: string;
  text: string;
  confirm: string;
  onCancel: () => void;
  onConfirm: () => void;
  cancel?: string;
  extra?: ComponentChildren;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = dialog.current;
    if (d && !d.open) d.showModal();
    return () => d?.close();
  }, []);
  return (
    <dialog ref={dialog} class="dialog stack" aria-labelledby="confirm-title" data-testid="confirm" onCancel={props.onCancel}>
      <h2 id="confirm-title">{props.title}</h2>
      <p>{props.text}</p>
      {props.extra}
      <div class="row">
        <button type="button" class="secondary" onClick={props.onCancel}>
          {props.cancel ?? t.cancel}
        </button>
        <button type="button" class="danger" onClick={props.onConfirm}>
          {props.confirm}
        </button>
      </div>
    </dialog>
  );
}

/** A change of this day the server refused: what it said, in words, with Fix and Discard. */
export function RefusedCard({ item, date, onFix, onDiscard }: { item: OutboxItem; date: string; onFix: (field: string) => void; onDiscard: () => void }) {
  const lines = refusalLines(item);
  return (
    <section class="card refused stack" role="alert" aria-labelledby={`refused-${item.key}`} data-testid="refused">
      <h2 id={`refused-${item.key}`}>{item.kind === "dose" ? t.refusedDoseTitle(formatDay(date)) : t.refusedTitle(formatDay(date))}</h2>
      <ul>
        {lines.map((l) => (
          <li>{l.text}</li>
        ))}
      </ul>
      <p class="small">{t.refusedExplain}</p>
      <div class="buttons">
        <button type="button" class="primary" onClick={() => onFix(lines[0].field)}>
          {t.fix}
        </button>
        <button type="button" class="secondary" onClick={onDiscard}>
          {t.discard}
        </button>
      </div>
    </section>
  );
}
