// The patient's primary condition on their page (it chooses the verdict rule, CLINICAL.md
// §6): set it (PATCH patients/{id}/profile, audited; the analysis reruns), and who set it
// before, and when. A patient who was not sure at sign-up waits for this.
import { useState } from "preact/hooks";
import { c } from "../strings-clinician";
import { fmtDate, label, problemText, send } from "./common";
import type { ConditionChange } from "./types";

export function ConditionControl(props: { patientId: string; current: string; history: ConditionChange[]; onSaved: () => void }) {
  const { patientId, current, history, onSaved } = props;
  const [choice, setChoice] = useState(current);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const save = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError("");
    const reply = await send("PATCH", `/patients/${encodeURIComponent(patientId)}/profile`, { primary_condition: choice });
    setBusy(false);
    if (reply.status === 200) onSaved();
    else setError(problemText(reply));
  };
  return (
    <details class="sub-card" data-testid="condition-control" open={current === "not_set"}>
      <summary>{current === "not_set" ? c.conditionNotSet : c.conditionChange}</summary>
      <form class="stack" onSubmit={save}>
        <label class="field">
          <span>{c.conditionLabel}</span>
          <select value={choice} onChange={(e) => setChoice(e.currentTarget.value)}>
            {Object.entries(c.conditions).map(([key, text]) => (
              <option value={key}>{text}</option>
            ))}
          </select>
        </label>
        {error ? (
          <p class="error" role="alert">
            {error}
          </p>
        ) : null}
        <button type="submit" class="primary" disabled={busy || choice === current}>
          {c.conditionSave}
        </button>
        {history.length ? (
          <ul class="small" data-testid="condition-history">
            {history.map((h) => (
              <li>
                {c.conditionChanged(
                  label(c.conditions, h.condition_from || null),
                  label(c.conditions, h.condition_to),
                  h.set_by === "clinician" ? h.set_by_name : c.thePatient,
                  fmtDate(h.at),
                )}
              </li>
            ))}
          </ul>
        ) : null}
      </form>
    </details>
  );
}
