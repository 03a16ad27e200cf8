// My data: download everything I logged (JSON, CSV, FHIR for a clinic's record) and delete my account.
import { useState } from "preact/hooks";
import { call, OfflineError } from "../api";
import { DELETED_FLAG } from "../signals";
import { clearAll } from "../db";
import { t } from "../strings";
import type { WhoAmI } from "../types";
import { fieldError } from "./CareLinks";

export function MyData({ who, onDeleted }: { who: WhoAmI; onDeleted: () => void }) {
  return (
    <section class="card stack" aria-labelledby="mydata-title" data-testid="my-data">
      <h2 id="mydata-title">{t.myDataTitle}</h2>
      <p>{t.myDataIntro}</p>
      <a class="button block" href="/api/v1/me/export?format=json" download data-testid="download-json">
        {t.downloadJson}
      </a>
      <a class="button block" href="/api/v1/me/export?format=csv" download data-testid="download-csv">
        {t.downloadCsv}
      </a>
      <a class="button block" href="/api/v1/me/export.fhir" download data-testid="download-fhir">
        {t.downloadFhir}
      </a>
      <p class="small muted">{t.downloadNote}</p>
      <DeleteAccount who={who} onDeleted={onDeleted} />
    </section>
  );
}

async function forgetThisDevice(): Promise<void> {
  // The server already deleted the push subscription; drop the browser's copy too.
  try {
    const registration = await navigator.serviceWorker?.getRegistration();
    const subscription = await registration?.pushManager?.getSubscription();
    await subscription?.unsubscribe();
  } catch {
    // nothing to forget
  }
  await clearAll();
}

function DeleteAccount({ who, onDeleted }: { who: WhoAmI; onDeleted: () => void }) {
  const [open, setOpen] = useState(false);
  const [password, setPassword] = useState("");
  const [confirmation, setConfirmation] = useState("");
  const [errors, setErrors] = useState<{ password?: string; confirmation?: string; other?: string }>({});
  const [busy, setBusy] = useState(false);

  if (!open)
    return (
      <button type="button" class="secondary danger-outline" aria-expanded="false" onClick={() => setOpen(true)}>
        {t.deleteAccount}
      </button>
    );

  const submit = async (e: Event) => {
    e.preventDefault();
    if (confirmation.trim().toLowerCase() !== who.email.toLowerCase()) {
      setErrors({ confirmation: t.deleteConfirmMismatch });
      return;
    }
    setBusy(true);
    setErrors({});
    try {
      const reply = await call("POST", "/api/v1/me/account/delete", { password, confirmation });
      if (reply.status === 204) {
        await forgetThisDevice();
        sessionStorage.setItem(DELETED_FLAG, "1");
        onDeleted();
        return;
      }
      const body = reply.body?.errors ?? {};
      setErrors({
        password: body.password ? fieldError(reply, "password", "") : undefined,
        confirmation: body.confirmation ? fieldError(reply, "confirmation", "") : undefined,
        other: body.password || body.confirmation ? undefined : fieldError(reply, "body", t.genericError),
      });
    } catch (err) {
      setErrors({ other: err instanceof OfflineError ? t.deleteNeedsConnection : t.genericError });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="stack sub-card danger-zone" aria-labelledby="delete-title" onSubmit={submit} noValidate data-testid="delete-account">
      <h3 id="delete-title">{t.deleteAccount}</h3>
      <p>{t.deleteExplain}</p>
      <Field
        id="delete-password"
        label={t.deletePassword}
        type="password"
        autocomplete="current-password"
        value={password}
        error={errors.password}
        onInput={setPassword}
      />
      <Field
        id="delete-confirm"
        label={t.deleteTypeEmail(who.email)}
        type="email"
        autocomplete="off"
        value={confirmation}
        error={errors.confirmation}
        onInput={setConfirmation}
      />
      {errors.other ? (
        <p class="error" role="alert">
          {errors.other}
        </p>
      ) : null}
      <div class="row">
        <button type="button" class="secondary" onClick={() => setOpen(false)} disabled={busy}>
          {t.cancel}
        </button>
        <button type="submit" class="danger" disabled={busy || !password}>
          {t.deleteForGood}
        </button>
      </div>
    </form>
  );
}

/** A required text field with its error under it (announced, and tied to the input). */
function Field(props: {
  id: string;
  label: string;
  type: string;
  autocomplete: string;
  value: string;
  error?: string;
  onInput: (value: string) => void;
}) {
  const { id, label, type, autocomplete, value, error, onInput } = props;
  return (
    <>
      <label class="field">
        <span>{label}</span>
        <input
          type={type}
          autocomplete={autocomplete}
          required
          value={value}
          aria-invalid={error ? "true" : undefined}
          aria-describedby={error ? `${id}-error` : undefined}
          onInput={(e) => onInput(e.currentTarget.value)}
        />
      </label>
      {error ? (
        <p class="error" id={`${id}-error`} role="alert">
          {error}
        </p>
      ) : null}
    </>
  );
}
