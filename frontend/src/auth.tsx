// Sign in, sign up (time zone, invitation code, consent) and the steps allauth may ask
// for next: the e-mailed verification code, or a clinician's authenticator code.
import { useState } from "preact/hooks";
import { AUTH, call, errorText, OfflineError, pendingFlows, type Reply } from "./api";
import { browserTimeZone } from "./dates";
import { clearInvite, pendingInvite } from "./invite";
import { t } from "./strings";

type Mode = "signin" | "signup" | "verify" | "mfa";

export const DELETED_FLAG = "ldn-account-deleted"; // set by the Me tab after deleting the account

/** Where the admin site sent this person to sign in (/?next=/admin/…): back there after. */
function adminNext(): string | null {
  const next = new URLSearchParams(window.location.search).get("next");
  return next && next.startsWith("/admin/") ? next : null;
}

export function SignIn({ onSignedIn, notice }: { onSignedIn: () => void; notice?: string }) {
  const [invite] = useState(pendingInvite); // opened from a clinic's invitation link: sign up with it
  const [deleted] = useState(() => {
    const flag = sessionStorage.getItem(DELETED_FLAG) !== null;
    sessionStorage.removeItem(DELETED_FLAG);
    return flag;
  });
  const [mode, setMode] = useState<Mode>(invite ? "signup" : "signin");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [displayName, setDisplayName] = useState("");
  const [code, setCode] = useState(invite ?? "");
  const [consent, setConsent] = useState(false);
  const [otp, setOtp] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const tz = browserTimeZone();

  const after = (reply: Reply) => {
    if (reply.status === 200 || reply.status === 409) {
      // 409: already signed in
      const next = adminNext();
      if (next) return window.location.assign(next);
      return onSignedIn();
    }
    const pending = pendingFlows(reply);
    if (reply.status === 401 && pending.includes("verify_email")) {
      setError("");
      setMode("verify");
    } else if (reply.status === 401 && pending.includes("mfa_authenticate")) {
      setError("");
      setMode("mfa");
    } else if (reply.status === 429) {
      setError(t.tooManyAttempts);
    } else {
      setError(errorText(reply, t.genericError));
    }
  };

  const run = async (work: () => Promise<Reply>) => {
    setBusy(true);
    try {
      await call("GET", `${AUTH}/auth/session`); // makes sure the CSRF cookie is there
      after(await work());
    } catch (err) {
      setError(err instanceof OfflineError ? t.signInNeedsConnection : t.genericError);
    } finally {
      setBusy(false);
    }
  };

  const submit = (e: Event) => {
    e.preventDefault();
    if (mode === "signin") void run(() => call("POST", `${AUTH}/auth/login`, { email, password }));
    else if (mode === "signup") {
      if (code.trim() && !consent) {
        setError(t.consentNeeded);
        return;
      }
      const body: Record<string, unknown> = { email, password, time_zone: tz };
      if (displayName.trim()) body.display_name = displayName.trim();
      if (code.trim()) {
        body.invitation_code = code.trim();
        body.consent = consent;
      }
      void run(async () => {
        const reply = await call("POST", `${AUTH}/auth/signup`, body);
        if (code.trim() && reply.status !== 400) clearInvite(); // the code is used up with the account
        return reply;
      });
    } else if (mode === "verify") void run(() => call("POST", `${AUTH}/auth/email/verify`, { key: otp.trim() }));
    else void run(() => call("POST", `${AUTH}/auth/2fa/authenticate`, { code: otp.trim() }));
  };

  const title =
    mode === "signin" ? t.signIn : mode === "signup" ? t.signUp : mode === "verify" ? t.verifyTitle : t.mfaTitle;

  return (
    <form class="card stack" onSubmit={submit} noValidate>
      <h1>{title}</h1>
      {deleted ? (
        <p class="banner ok" role="status">
          {t.accountDeleted}
        </p>
      ) : null}
      {notice && mode === "signin" ? (
        <p class="banner warn" role="status" data-testid="signed-out-notice">
          {notice}
        </p>
      ) : null}
      {mode === "signin" || mode === "signup" ? (
        <>
          <label class="field">
            <span>{t.email}</span>
            <input type="email" autocomplete="email" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
          </label>
          <label class="field">
            <span>{t.password}</span>
            <input
              type="password"
              autocomplete={mode === "signin" ? "current-password" : "new-password"}
              required
              value={password}
              onInput={(e) => setPassword(e.currentTarget.value)}
            />
          </label>
        </>
      ) : (
        <>
          <p>{mode === "verify" ? t.verifyIntro : t.mfaIntro}</p>
          <label class="field">
            <span>{mode === "verify" ? t.verifyCode : t.mfaCode}</span>
            <input
              autocomplete="one-time-code"
              inputMode={mode === "mfa" ? "numeric" : "text"}
              autocapitalize="characters"
              required
              value={otp}
              onInput={(e) => setOtp(e.currentTarget.value)}
            />
          </label>
        </>
      )}
      {mode === "signup" ? (
        <>
          <label class="field">
            <span>{t.displayName}</span>
            <input autocomplete="name" value={displayName} onInput={(e) => setDisplayName(e.currentTarget.value)} />
          </label>
          <label class="field">
            <span>{t.invitationCode}</span>
            <input autocapitalize="characters" value={code} onInput={(e) => setCode(e.currentTarget.value)} />
          </label>
          <label class="check">
            <input type="checkbox" checked={consent} onChange={(e) => setConsent(e.currentTarget.checked)} />
            <span>{t.consent}</span>
          </label>
          <p class="muted">{t.timeZoneIs(tz)}</p>
        </>
      ) : null}
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
      <button class="primary" type="submit" disabled={busy}>
        {mode === "signin" ? t.signIn : mode === "signup" ? t.signUp : t.verify}
      </button>
      {mode === "signin" || mode === "signup" ? (
        <button
          type="button"
          class="link"
          onClick={() => {
            setError("");
            setMode(mode === "signin" ? "signup" : "signin");
          }}
        >
          {mode === "signin" ? t.noAccount : t.haveAccount}
        </button>
      ) : null}
    </form>
  );
}
