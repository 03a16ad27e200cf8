// The clinic page: its licensed HIT-6 wording (CLINICAL.md §9, §12.1). LDN Diary ships none;
// a clinic administrator enters the six questions once, and every clinician sees whether
// the clinic has them.
import { useState } from "preact/hooks";
import { t } from "../strings";
import { c } from "../strings-clinician";
import { ErrorLine, fmtDate, getJson, LoadFailed, send, Status, useLoad, usePageTitle } from "./common";
import type { Route } from "./routes";
import type { Hit6Wording as Wording } from "./types";


const SIX = [0, 1, 2, 3, 4, 5];

function WordingForm({ wording, onSaved }: { wording: Wording; onSaved: (w: Wording) => void }) {
  const [items, setItems] = useState<string[]>(() => SIX.map((i) => wording.items?.[i] ?? ""));
  const [note, setNote] = useState(wording.licence_note);
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [other, setOther] = useState("");
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    const reply = await send<Wording>("PUT", "/clinic/hit6-wording", { items, licence_note: note });
    setBusy(false);
    if (reply.ok) {
      setErrors({});
      setOther("");
      onSaved(reply.body);
    } else {
      const problem = reply.body;
      const fields = reply.status === 400 && typeof problem?.errors === "object" ? problem.errors : {};
      setErrors(fields);
      const known = new Set([...SIX.map((i) => `items.${i}`), "licence_note"]);
      const rest = Object.entries(fields).filter(([k]) => !known.has(k));
      setOther(rest.length ? rest.map(([, m]) => m.join(" ")).join(" ") : Object.keys(fields).length ? "" : String(problem?.detail ?? t.requestFailed(reply.status)));
    }
  };
  const err = (field: string) =>
    errors[field] ? (
      <span class="field-error" id={`hit6-err-${field.replace(".", "-")}`}>
        {errors[field].join(" ")}
      </span>
    ) : null;
  const described = (field: string) => (errors[field] ? { "aria-invalid": true as const, "aria-describedby": `hit6-err-${field.replace(".", "-")}` } : {});
  return (
    <form class="stack" aria-labelledby="hit6-title" onSubmit={submit} noValidate data-testid="hit6-wording-form">
      {SIX.map((i) => (
        <label class="field">
          <span>{c.hit6ItemLabel(i + 1)}</span>
          <textarea rows={2} maxLength={500} value={items[i]} onInput={(e) => setItems(items.map((v, k) => (k === i ? e.currentTarget.value : v)))} {...described(`items.${i}`)} />
          {err(`items.${i}`)}
        </label>
      ))}
      <label class="field">
        <span>{c.licenceNote}</span>
        <input maxLength={500} value={note} onInput={(e) => setNote(e.currentTarget.value)} {...described("licence_note")} />
        {err("licence_note")}
      </label>
      <ErrorLine text={other} />
      <p class="buttons">
        <button type="submit" class="primary" disabled={busy}>
          {c.saveWording}
        </button>
      </p>
    </form>
  );
}

export function Clinic(_: { route: Route }) {
  const heading = usePageTitle(c.clinicTitle);
  const [load, reload] = useLoad((signal) => getJson<Wording>("/clinic/hit6-wording", signal), []);
  const [saved, setSaved] = useState<Wording | null>(null);
  const [done, setDone] = useState("");
  const wording = saved ?? (load.state === "ok" ? load.data : null);
  return (
    <section class="stack">
      <h1 ref={heading} tabIndex={-1}>
        {c.clinicTitle}
      </h1>
      <Status text={done} />
      <section class="card stack" aria-labelledby="hit6-title" data-testid="hit6-wording">
        <h2 id="hit6-title">{c.hit6Title}</h2>
        <p class="muted small">{c.hit6Intro}</p>
        {load.state === "error" ? <LoadFailed status={load.status} retry={reload} /> : null}
        {load.state === "loading" && !saved ? <p aria-busy="true">{t.loading}</p> : null}
        {wording ? (
          <>
            <p data-testid="hit6-status">
              <strong>{wording.items ? c.hit6Entered(fmtDate(wording.updated_at)) : c.hit6Missing}</strong>
              {wording.licence_note ? <span class="block">{c.licenceNoteShown(wording.licence_note)}</span> : null}
            </p>
            {wording.can_edit ? (
              <WordingForm
                wording={wording}
                onSaved={(w) => {
                  setSaved(w);
                  setDone(c.wordingSaved);
                }}
              />
            ) : (
              <>
                {wording.items ? (
                  <ol class="hit6list">
                    {wording.items.map((text) => (
                      <li>{text}</li>
                    ))}
                  </ol>
                ) : null}
                <p class="muted">{c.hit6AdminOnly}</p>
              </>
            )}
          </>
        ) : null}
      </section>
    </section>
  );
}
