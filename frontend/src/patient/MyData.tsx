// My data: download everything I logged (JSON, CSV) and delete my account.
import { useState } from "preact/hooks";
import { call, OfflineError } from "../api";
import { DELETED_FLAG } from "../auth";
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
      <label class="field">
        <span>{t.deletePassword}</span>
        <input
          type="password"
          autocomplete="current-password"
          required
          value={password}
          aria-invalid={errors.password ? "true" : undefined}
          aria-describedby={errors.password ? "delete-password-error" : undefined}
          onInput={(e) => setPassword(e.currentTarget.value)}
        />
      </label>
      {errors.password ? (
        <p class="error" id="delete-password-error" role="alert">
          {errors.password}
        </p>
      ) : null}
      <label class="field">
        <span>{t.deleteTypeEmail(who.email)}</span>
        <input
          type="email"
          autocomplete="off"
          required
          value={confirmation}
          aria-invalid={errors.confirmation ? "true" : undefined}
          aria-describedby={errors.confirmation ? "delete-confirm-error" : undefined}
          onInput={(e) => setConfirmation(e.currentTarget.value)}
        />
      </label>
      {errors.confirmation ? (
        <p class="error" id="delete-confirm-error" role="alert">
          {errors.confirmation}
        </p>
      ) : null}
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
