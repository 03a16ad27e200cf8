// Sign in, sign up (condition, time zone, an invitation naming its clinic, consent), and
// the steps allauth may ask for next: the e-mailed code (a new one, another address, or
// start again), a clinician's authenticator code, and a forgotten password (a code by
// e-mail, then a new password). Loaded only when nobody is signed in.
import { useEffect, useRef, useState } from "preact/hooks";
import { AUTH, call, errorText, OfflineError, pendingFlows, problemOf, type Reply } from "./api";
import { ConditionPicker } from "./condition";
import { browserTimeZone } from "./dates";
import { clearInvite, pendingInvite } from "./invite";
import { CODE_RESEND_SECONDS } from "./rules.gen";
import { DELETED_FLAG } from "./signals";
import { t } from "./strings";
import type { InvitationPreview } from "./types";

type Mode = "signin" | "signup" | "verify" | "mfa" | "forgot" | "reset";

type Preview = InvitationPreview;

/** Seconds left before another e-mailed code may be asked for (the server's limit). */
function useCountdown(): [number, () => void] {
  const [until, setUntil] = useState(0);
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (until <= now) return;
    const timer = window.setTimeout(() => setNow(Date.now()), 1000);
    return () => window.clearTimeout(timer);
  }, [until, now]);
  const start = () => {
    const at = Date.now();
    setNow(at);
    setUntil(at + CODE_RESEND_SECONDS * 1000);
  };
  return [Math.max(0, Math.ceil((until - now) / 1000)), start];
}

/** Where the admin site sent this person to sign in (/?next=/admin/…): back there after. */
function adminNext(): string | null {
  const next = new URLSearchParams(window.location.search).get("next");
  return next && next.startsWith("/admin/") ? next : null;
}

export function SignIn({ onSignedIn, notice: signedOut }: { onSignedIn: () => void; notice?: string }) {
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
  const [condition, setCondition] = useState<string | null>(null);
  const [code, setCode] = useState(invite ?? "");
  const [preview, setPreview] = useState<Preview | null>(null);
  const [consent, setConsent] = useState(false);
  const [otp, setOtp] = useState("");
  const [newEmail, setNewEmail] = useState("");
  const [changing, setChanging] = useState(false);
  const [error, setError] = useState("");
  const [notice, setNotice] = useState("");
  const [busy, setBusy] = useState(false);
  const [wait, startWait] = useCountdown();
  const heading = useRef<HTMLHeadingElement>(null);
  const tz = browserTimeZone();

  const go = (next: Mode) => {
    if (next === "reset") setPassword("");
    setError("");
    setNotice("");
    setOtp("");
    setChanging(false);
    setMode(next);
    window.setTimeout(() => heading.current?.focus(), 0);
  };

  const after = (reply: Reply) => {
    if (reply.status === 200 || reply.status === 409) {
      // 409: already signed in
      const next = adminNext();
      if (next) return window.location.assign(next);
      return onSignedIn();
    }
    const pending = pendingFlows(reply);
    if (reply.status === 401 && pending.includes("verify_email")) {
      startWait();
      go("verify");
    } else if (reply.status === 401 && pending.includes("mfa_authenticate")) {
      go("mfa");
    } else if (reply.status === 401 && pending.includes("password_reset_by_code")) {
      startWait();
      go("reset");
    } else if (reply.status === 429) {
      setError(t.tooManyAttempts);
    } else {
      setError(errorText(reply, t.genericError));
    }
  };

  const run = async (work: () => Promise<Reply | null>) => {
    setBusy(true);
    setError("");
    try {
      await call("GET", `${AUTH}/auth/session`); // makes sure the CSRF cookie is there
      const reply = await work();
      if (reply) after(reply);
    } catch (err) {
      setError(err instanceof OfflineError ? t.signInNeedsConnection : t.genericError);
    } finally {
      setBusy(false);
    }
  };

  /** Who invites me, before I consent (the code is not used up). */
  const checkCode = async (value: string): Promise<Preview | null> => {
    const reply = await call<Preview>("POST", "/api/v1/invitations/preview", { code: value.trim() });
    if (reply.status === 200) {
      setPreview(reply.body);
      return reply.body;
    }
    const messages = problemOf(reply)?.errors?.code;
    setError(Array.isArray(messages) && messages.length ? String(messages[0]) : errorText(reply, t.genericError));
    return null;
  };
  useEffect(() => {
    if (invite) void checkCode(invite).catch(() => undefined);
  }, []);

  const signUp = () =>
    run(async () => {
      if (!condition) {
        setError(t.conditionNeeded);
        return null;
      }
      const body: Record<string, unknown> = { email, password, time_zone: tz, primary_condition: condition };
      if (displayName.trim()) body.display_name = displayName.trim();
      if (code.trim()) {
        const found = preview ?? (await checkCode(code));
        if (!found) return null;
        if (!consent) {
          setError(t.consentNeededFor(found.clinic));
          return null;
        }
        body.invitation_code = code.trim();
        body.consent = true;
      }
      const reply = await call("POST", `${AUTH}/auth/signup`, body);
      if (code.trim() && reply.status !== 400) clearInvite(); // the code is used up with the account
      return reply;
    });

  const resend = () =>
    run(async () => {
      setNotice("");
      const reply =
        mode === "reset"
          ? await call("POST", `${AUTH}/auth/password/request`, { email })
          : await call("POST", `${AUTH}/auth/email/verify/resend`);
      if (reply.status === 200 || (mode === "reset" && reply.status === 401)) {
        startWait();
        setNotice(t.codeSentAgain(email));
      } else if (reply.status === 429) setError(t.codeWait);
      else setError(reply.status === 409 ? t.codeNoMore : errorText(reply, t.genericError));
      return null;
    });

  const changeAddress = () =>
    run(async () => {
      const reply = await call("POST", `${AUTH}/account/email`, { email: newEmail.trim() });
      if (reply.status === 200) {
        setEmail(newEmail.trim());
        setChanging(false);
        startWait();
        setNotice(t.codeSentTo(newEmail.trim()));
      } else setError(errorText(reply, t.genericError));
      return null;
    });

  const startAgain = () =>
    run(async () => {
      await call("DELETE", `${AUTH}/auth/session`); // drops the pending step
      go("signin");
      return null;
    });

  const submit = (e: Event) => {
    e.preventDefault();
    if (mode === "signin") void run(() => call("POST", `${AUTH}/auth/login`, { email, password }));
    else if (mode === "signup") void signUp();
    else if (mode === "verify") void run(() => call("POST", `${AUTH}/auth/email/verify`, { key: otp.trim() }));
    else if (mode === "forgot") void run(() => call("POST", `${AUTH}/auth/password/request`, { email }));
    else if (mode === "reset") void run(() => call("POST", `${AUTH}/auth/password/reset`, { key: otp.trim(), password }));
    else void run(() => call("POST", `${AUTH}/auth/2fa/authenticate`, { code: otp.trim() }));
  };

  const title = {
    signin: t.signIn,
    signup: t.signUp,
    verify: t.verifyTitle,
    mfa: t.mfaTitle,
    forgot: t.resetTitle,
    reset: t.resetTitle,
  }[mode];
  const action = {
    signin: t.signIn,
    signup: t.signUp,
    verify: t.verify,
    mfa: t.verify,
    forgot: t.resetSend,
    reset: t.resetSet,
  }[mode];

  const emailField = (
    <label class="field">
      <span>{t.email}</span>
      <input type="email" autocomplete="email" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
    </label>
  );
  const passwordField = (label: string, autocomplete: string) => (
    <label class="field">
      <span>{label}</span>
      <input type="password" autocomplete={autocomplete} required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
    </label>
  );
  const codeField = (label: string, numeric: boolean) => (
    <label class="field">
      <span>{label}</span>
      <input
        autocomplete="one-time-code"
        inputMode={numeric ? "numeric" : "text"}
        autocapitalize="characters"
        required
        value={otp}
        onInput={(e) => setOtp(e.currentTarget.value)}
      />
    </label>
  );
  const resendButton = (
    <button type="button" class="secondary" disabled={busy || wait > 0} onClick={() => void resend()}>
      {wait > 0 ? t.codeResendIn(wait) : t.codeResend}
    </button>
  );

  return (
    <form class="card stack" onSubmit={submit} noValidate>
      <h1 ref={heading} tabIndex={-1}>
        {title}
      </h1>
      {deleted ? (
        <p class="banner ok" role="status">
          {t.accountDeleted}
        </p>
      ) : null}
      {signedOut && mode === "signin" ? (
        <p class="banner warn" role="status" data-testid="signed-out-notice">
          {signedOut}
        </p>
      ) : null}
      {mode === "signin" ? (
        <>
          {emailField}
          {passwordField(t.password, "current-password")}
        </>
      ) : mode === "signup" ? (
        <>
          {emailField}
          {passwordField(t.password, "new-password")}
          <label class="field">
            <span>{t.displayName}</span>
            <input autocomplete="name" value={displayName} onInput={(e) => setDisplayName(e.currentTarget.value)} />
          </label>
          <ConditionPicker value={condition} onPick={(v) => (setCondition(v), setError(""))} />
          <label class="field">
            <span>{t.invitationCode}</span>
            <input
              autocapitalize="characters"
              value={code}
              onInput={(e) => {
                setCode(e.currentTarget.value);
                setPreview(null);
                setConsent(false);
              }}
            />
          </label>
          {code.trim() && !preview ? (
            <button type="button" class="secondary" disabled={busy} onClick={() => void run(async () => (await checkCode(code), null))}>
              {t.careCheck}
            </button>
          ) : null}
          {preview ? (
            <>
              <p class="banner ok" data-testid="invite-preview">
                {t.careInvites(preview.clinic, preview.clinician)}
              </p>
              <label class="check">
                <input type="checkbox" checked={consent} onChange={(e) => setConsent(e.currentTarget.checked)} />
                <span>{t.careConsentNamed(preview.clinic, preview.clinician)}</span>
              </label>
            </>
          ) : null}
          <p class="muted">{t.timeZoneIs(tz)}</p>
        </>
      ) : mode === "verify" ? (
        <>
          <p data-testid="code-sent-to">{t.verifyIntroTo(email)}</p>
          {codeField(t.verifyCode, false)}
        </>
      ) : mode === "forgot" ? (
        <>
          <p>{t.resetIntro}</p>
          {emailField}
        </>
      ) : mode === "reset" ? (
        <>
          <p data-testid="code-sent-to">{t.resetCodeSentTo(email)}</p>
          {codeField(t.resetCode, false)}
          {passwordField(t.newPassword, "new-password")}
        </>
      ) : (
        <>
          <p>{t.mfaIntro}</p>
          {codeField(t.mfaCode, true)}
        </>
      )}
      {notice ? (
        <p class="banner ok" role="status">
          {notice}
        </p>
      ) : null}
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
      <button class="primary" type="submit" disabled={busy}>
        {action}
      </button>
      {mode === "signin" ? (
        <>
          <button type="button" class="link" onClick={() => go("forgot")}>
            {t.forgotPassword}
          </button>
          <button type="button" class="link" onClick={() => go("signup")}>
            {t.noAccount}
          </button>
        </>
      ) : mode === "signup" ? (
        <button type="button" class="link" onClick={() => go("signin")}>
          {t.haveAccount}
        </button>
      ) : mode === "verify" ? (
        <div class="stack sub-card">
          <p class="small">{t.codeNotArrived}</p>
          {resendButton}
          {changing ? (
            <>
              <label class="field">
                <span>{t.newAddress}</span>
                <input type="email" autocomplete="email" value={newEmail} onInput={(e) => setNewEmail(e.currentTarget.value)} />
              </label>
              <button type="button" class="secondary" disabled={busy || !newEmail.trim()} onClick={() => void changeAddress()}>
                {t.sendCodeThere}
              </button>
            </>
          ) : (
            <button type="button" class="secondary" onClick={() => (setChanging(true), setNewEmail(email))}>
              {t.changeAddress}
            </button>
          )}
          <button type="button" class="link" onClick={() => void startAgain()}>
            {t.startAgain}
          </button>
        </div>
      ) : mode === "reset" ? (
        <div class="stack sub-card">
          <p class="small">{t.codeNotArrived}</p>
          {resendButton}
          <button type="button" class="link" onClick={() => void startAgain()}>
            {t.backToSignIn}
          </button>
        </div>
      ) : (
        <button type="button" class="link" onClick={() => void startAgain()}>
          {t.backToSignIn}
        </button>
      )}
    </form>
  );
}
