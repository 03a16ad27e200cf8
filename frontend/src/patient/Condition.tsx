// "What I take LDN for" on the Me page: the condition chosen at sign-up (or set by the
// clinician), who set it and when, and a change, saved to the server at once (it needs a
// connection: the condition decides how the clinician's analysis judges LDN).
import { useEffect, useState } from "preact/hooks";
import { call, errorText, failureText, HttpError } from "../api";
import { ConditionPicker } from "../condition";
import { setMeta } from "../db";
import { t } from "../strings";
import type { Profile } from "../types";
import { formatInstant } from "./CareLinks";

export function MyCondition({ profile }: { profile: Profile | null }) {
  const [current, setCurrent] = useState<Profile | null>(profile);
  const [choice, setChoice] = useState<string | null>(profile?.primary_condition ?? null);
  const [status, setStatus] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    // the phone's copy may be older than the server's (a clinician set it meanwhile)
    void call<Profile>("GET", "/api/v1/me/profile").then(
      (reply) => {
        if (reply.status !== 200) return;
        setCurrent(reply.body);
        setChoice((c) => (c === (current?.primary_condition ?? null) ? reply.body.primary_condition ?? null : c));
        void setMeta("profile", reply.body);
      },
      () => undefined,
    );
  }, []);

  const save = async (e: Event) => {
    e.preventDefault();
    if (!choice) return;
    setBusy(true);
    setError("");
    setStatus("");
    try {
      const reply = await call<Profile>("PATCH", "/api/v1/me/profile", { primary_condition: choice });
      if (reply.status !== 200) {
        if (reply.status >= 500) throw new HttpError(reply.status);
        setError(errorText(reply, t.genericError));
        return;
      }
      setCurrent(reply.body);
      await setMeta("profile", reply.body);
      setStatus(t.conditionSaved(t.conditions[reply.body.primary_condition ?? ""] ?? ""));
    } catch (err) {
      setError(failureText(err, t.conditionNeedsConnection));
    } finally {
      setBusy(false);
    }
  };

  const set = current?.condition_set;
  const changed = choice !== (current?.primary_condition ?? null);
  return (
    <form class="card stack" aria-labelledby="condition-title" data-testid="my-condition" onSubmit={save}>
      <h2 id="condition-title">{t.conditionTitle}</h2>
      <p class="small muted">{t.conditionWhy}</p>
      <ConditionPicker value={choice} onPick={(v) => (setChoice(v), setStatus(""))} hideLegend />
      {set ? (
        <p class="small" data-testid="condition-set-by">
          {set.set_by === "clinician" ? t.conditionSetByClinician(set.name, formatInstant(set.at)) : t.conditionSetByYou(formatInstant(set.at))}
        </p>
      ) : null}
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
      <button type="submit" class="primary" disabled={busy || !changed}>
        {t.conditionSave}
      </button>
      <p role="status" class="small">
        {status}
      </p>
    </form>
  );
}
