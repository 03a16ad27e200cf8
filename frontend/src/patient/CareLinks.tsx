// Who can see my diary: the clinics I share it with (since when, stop sharing), the
// earlier ones, and "Add a clinic" (check an invitation code, consent, share).
import { useEffect, useRef, useState } from "preact/hooks";
import { call, errorText, failureText, HttpError, OfflineError, type Reply } from "../api";
import { clearInvite, pendingInvite } from "../invite";
import { t } from "../strings";
import type { CareLink, InvitationPreview as Preview } from "../types";

export function formatInstant(iso: string | null): string {
  if (!iso) return "";
  return new Date(iso).toLocaleDateString(undefined, { day: "numeric", month: "long", year: "numeric" });
}

/** The message for one field of a 400, else the problem's detail. */
export function fieldError(reply: Reply, field: string, fallback: string): string {
  const messages = reply.body?.errors?.[field];
  return Array.isArray(messages) && messages.length ? String(messages[0]) : errorText(reply, fallback);
}

export function CareLinks() {
  const [links, setLinks] = useState<CareLink[] | null>(null);
  const [failed, setFailed] = useState("");
  const [notice, setNotice] = useState("");
  const [confirming, setConfirming] = useState<CareLink | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);

  const load = async () => {
    try {
      const reply = await call<{ results: CareLink[] }>("GET", "/api/v1/me/care-links");
      if (reply.status !== 200) throw new HttpError(reply.status);
      setLinks(reply.body.results);
      setFailed("");
    } catch (err) {
      setFailed(failureText(err, t.careNeedsConnection));
    }
  };
  useEffect(() => void load(), []);

  const active = (links ?? []).filter((l) => l.status === "active");
  const earlier = (links ?? []).filter((l) => l.status !== "active");

  return (
    <section class="card stack" aria-labelledby="care-title" data-testid="care-links">
      <h2 id="care-title" ref={heading} tabIndex={-1}>
        {t.careTitle}
      </h2>
      <p role="status" class={notice ? "banner ok" : "visually-hidden"}>
        {notice}
      </p>
      {failed ? (
        <div class="error stack" role="alert">
          <p>{failed}</p>
          <button type="button" onClick={() => void load()}>
            {t.tryAgain}
          </button>
        </div>
      ) : null}
      {links === null && !failed ? <p>{t.loading}</p> : null}
      {links !== null && active.length === 0 ? <p>{t.careNone}</p> : null}
      {active.length ? (
        <ul class="plainlist">
          {active.map((link) => (
            <li class="linkitem" data-testid="care-link">
              <div>
                <strong>{link.clinic}</strong>
                <p class="small">{t.careClinician(link.clinician)}</p>
                <p class="small muted">{t.careSince(formatInstant(link.consented_at))}</p>
              </div>
              <button type="button" class="secondary danger-outline" onClick={() => setConfirming(link)}>
                {t.careStop}
                <span class="visually-hidden"> {t.careWith(link.clinic)}</span>
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      {earlier.length ? (
        <details>
          <summary>{t.careEarlier(earlier.length)}</summary>
          <ul class="plainlist">
            {earlier.map((link) => (
              <li class="small" data-testid="care-link-earlier">
                <strong>{link.clinic}</strong> ({link.clinician}):{" "}
                {link.status === "revoked"
                  ? t.careRevokedOn(formatInstant(link.revoked_at), link.revoked_by === "clinician")
                  : t.careStatus[link.status] ?? link.status}
              </li>
            ))}
          </ul>
        </details>
      ) : null}
      <AddClinic
        onAdded={(link) => {
          setNotice(t.careAdded(link.clinic));
          void load();
        }}
      />
      {confirming ? (
        <ConfirmStop
          link={confirming}
          onClose={() => setConfirming(null)}
          onStopped={(link) => {
            setConfirming(null);
            setNotice(t.careStopped(link.clinic));
            heading.current?.focus(); // the button that opened the dialog is gone
            void load();
          }}
        />
      ) : null}
    </section>
  );
}

function ConfirmStop({
  link,
  onClose,
  onStopped,
}: {
  link: CareLink;
  onClose: () => void;
  onStopped: (link: CareLink) => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  useEffect(() => {
    const d = dialog.current;
    if (d && !d.open) d.showModal();
    return () => d?.close();
  }, []);

  const stop = async () => {
    setBusy(true);
    try {
      const reply = await call<CareLink>("POST", `/api/v1/me/care-links/${link.id}/revoke`);
      if (reply.status === 200) onStopped(reply.body);
      else setError(errorText(reply, t.genericError));
    } catch (err) {
      setError(err instanceof OfflineError ? t.careNeedsConnection : t.genericError);
    } finally {
      setBusy(false);
    }
  };

  return (
    <dialog ref={dialog} class="dialog stack" aria-labelledby="stop-title" onClose={onClose} data-testid="confirm-stop">
      <h2 id="stop-title">{t.careStopTitle(link.clinic)}</h2>
      <p>{t.careStopExplain(link.clinic)}</p>
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
      <div class="row">
        <button type="button" class="secondary" onClick={onClose} disabled={busy}>
          {t.cancel}
        </button>
        <button type="button" class="danger" onClick={stop} disabled={busy}>
          {t.careStopConfirm}
        </button>
      </div>
    </dialog>
  );
}

function AddClinic({ onAdded }: { onAdded: (link: CareLink) => void }) {
  const [initial] = useState(pendingInvite);
  const [open, setOpen] = useState(initial !== null);
  const [code, setCode] = useState(initial ?? "");
  const [preview, setPreview] = useState<Preview | null>(null);
  const [consent, setConsent] = useState(false);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);

  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setError("");
    try {
      await work();
    } catch (err) {
      setError(err instanceof OfflineError ? t.careNeedsConnection : t.genericError);
    } finally {
      setBusy(false);
    }
  };

  const check = (value: string) =>
    run(async () => {
      const reply = await call<Preview>("POST", "/api/v1/me/care-links/preview", { code: value.trim() });
      if (reply.status === 200) setPreview(reply.body);
      else setError(fieldError(reply, "code", t.genericError));
    });

  useEffect(() => {
    if (initial === null) return;
    clearInvite();
    form.current?.scrollIntoView({ block: "start" });
    void check(initial);
  }, []);

  const share = () =>
    run(async () => {
      if (!consent) {
        setError(t.consentNeeded);
        return;
      }
      const reply = await call<CareLink>("POST", "/api/v1/me/care-links", { code: code.trim(), consent: true });
      if (reply.status === 201) {
        onAdded(reply.body);
        setOpen(false);
        setCode("");
        setPreview(null);
        setConsent(false);
      } else setError(reply.status === 409 ? errorText(reply, t.genericError) : fieldError(reply, "code", t.genericError));
    });

  if (!open)
    return (
      <button type="button" class="secondary" aria-expanded="false" onClick={() => setOpen(true)}>
        {t.careAdd}
      </button>
    );

  return (
    <form
      ref={form}
      class="stack sub-card"
      aria-labelledby="add-title"
      data-testid="add-clinic"
      onSubmit={(e) => {
        e.preventDefault();
        void (preview ? share() : check(code));
      }}
      noValidate
    >
      <h3 id="add-title">{t.careAdd}</h3>
      <label class="field">
        <span>{t.careCode}</span>
        <input
          autocapitalize="characters"
          autocomplete="off"
          value={code}
          onInput={(e) => {
            setCode(e.currentTarget.value);
            setPreview(null);
            setConsent(false);
          }}
        />
      </label>
      {preview ? (
        <>
          <p class="banner ok" data-testid="invite-preview">
            {t.careInvites(preview.clinic, preview.clinician)}
          </p>
          <label class="check">
            <input type="checkbox" checked={consent} onChange={(e) => setConsent(e.currentTarget.checked)} />
            <span>{t.careConsent(preview.clinic)}</span>
          </label>
        </>
      ) : null}
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
      <div class="row">
        <button type="button" class="secondary" onClick={() => setOpen(false)} disabled={busy}>
          {t.cancel}
        </button>
        <button type="submit" class="primary" disabled={busy || !code.trim()}>
          {preview ? t.careShare : t.careCheck}
        </button>
      </div>
    </form>
  );
}
