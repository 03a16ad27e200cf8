// The shell: who is signed in (online from allauth, offline from the last known answer),
// then the patient or clinician chunk, each loaded lazily.
import type { ComponentType } from "preact";
import { useEffect, useState } from "preact/hooks";
import { AUTH, call, csrfToken, idleNotice, OfflineError, SIGNED_OUT_EVENT } from "./api";
import { dropSnapshot, readSnapshot, shellSnapshot } from "./boot";
import { clearAll, getMeta, setMeta } from "./db";
import { t } from "./strings";
import type { PageProps, WhoAmI } from "./types";

type Session =
  | { state: "loading" }
  | { state: "signed-out"; notice?: string }
  | { state: "in"; who: WhoAmI; offline: boolean }
  // The server answered with an error (5xx): not "signed out", and not the connection's fault.
  | { state: "server-problem"; status: number; cached: WhoAmI | null };

// The chunk of the role this phone last saw starts loading at once, beside the session
// check, and so does the one read of everything the first Today needs (boot.ts: in the
// shell the service worker answered with, else from IndexedDB): Today is ready sooner,
// above all offline. The role comes from that snapshot, else from a hint in localStorage
// (only "patient" or "clinician", no health data; the first use of localStorage in a page
// waits for the browser process, which the snapshot spares Today).
const ROLE_HINT = "ldn-role";
function roleHint(role?: string | null): string | null {
  try {
    if (role === null) localStorage.removeItem(ROLE_HINT);
    else if (role) localStorage.setItem(ROLE_HINT, role);
    return localStorage.getItem(ROLE_HINT);
  } catch {
    return null; // storage blocked: no head start
  }
}
if ((shellSnapshot()?.who?.role ?? roleHint()) === "patient") void import("./patient/PatientApp");
void readSnapshot();

/** The page of a role, loaded (the session and its page then arrive in one render). */
function pageFor(role: string): Promise<ComponentType<PageProps> | null> {
  const page =
    role === "patient"
      ? import("./patient/PatientApp").then((m) => m.PatientApp)
      : role === "clinician" || role === "none"
        ? import("./clinician/ClinicianApp").then((m) => m.ClinicianApp)
        : Promise.resolve(null);
  return page.catch(() => null); // the chunk could not load: stay on "Loading"
}

async function offlineSession(): Promise<Session> {
  const who = (await readSnapshot())?.who ?? (await getMeta<WhoAmI>("whoami"));
  return who ? { state: "in", who, offline: true } : { state: "signed-out" };
}

async function serverProblem(status: number): Promise<Session> {
  const cached = (await readSnapshot())?.who ?? (await getMeta<WhoAmI>("whoami")) ?? null;
  return { state: "server-problem", status, cached };
}

async function loadSession(): Promise<Session> {
  if (!navigator.onLine) return offlineSession(); // no request that can only fail
  try {
    const session = await call("GET", `${AUTH}/auth/session`); // also sets the csrftoken cookie
    if (session.status >= 500) return serverProblem(session.status);
    if (session.status !== 200) {
      // A clinician's session that ended for inactivity: the API's next answer says so (once).
      const why = await call("GET", "/api/v1/whoami");
      return { state: "signed-out", notice: idleNotice(why) ?? undefined };
    }
    const who = await call<WhoAmI>("GET", "/api/v1/whoami");
    if (who.status >= 500) return serverProblem(who.status);
    if (who.status !== 200) return { state: "signed-out" };
    await rememberUser(who.body);
    return { state: "in", who: who.body, offline: false };
  } catch (err) {
    if (!(err instanceof OfflineError)) throw err;
    return offlineSession();
  }
}

async function rememberUser(who: WhoAmI): Promise<void> {
  const before = await getMeta<WhoAmI>("whoami");
  if (before && before.email !== who.email) {
    dropSnapshot();
    await clearAll(); // another person on this phone
  }
  await setMeta("whoami", who);
  roleHint(who.role);
  await setMeta("csrf", csrfToken());
}

/** Who is signed in, and their page loaded (they arrive in one render). */
function sessionAndPage(): Promise<{ session: Session; page: ComponentType<PageProps> | null }> {
  return loadSession().then(
    async (session) => ({ session, page: session.state === "in" ? await pageFor(session.who.role) : null }),
    () => ({ session: { state: "signed-out" }, page: null }),
  );
}

/** The first session and page, asked for as the shell's script runs; the first render
 * waits for them (main.tsx), so a phone that knows who is signed in draws their page at
 * once instead of "Loading", an effect and a second render. */
export const firstSession = sessionAndPage();
type First = Awaited<typeof firstSession>;

type SignInProps = { onSignedIn: () => void; notice?: string };

export function App({ first }: { first: First }) {
  const [session, setSession] = useState<Session>(first.session);
  const [Page, setPage] = useState<ComponentType<PageProps> | null>(() => first.page);
  // Sign-in and sign-up are their own chunk: a signed-in phone never needs them to open.
  const [SignIn, setSignIn] = useState<ComponentType<SignInProps> | null>(null);
  useEffect(() => {
    if (session.state === "signed-out" && !SignIn) void import("./auth").then((m) => setSignIn(() => m.SignIn));
  }, [session.state]);
  const [swReady, setSwReady] = useState(false);

  const refresh = () =>
    sessionAndPage().then(({ session, page }) => {
      setPage(() => page);
      setSession(session);
    });
  const retry = () => {
    setSession({ state: "loading" });
    void refresh();
  };
  const continueOffline = async (who: WhoAmI) => {
    const page = await pageFor(who.role);
    setPage(() => page);
    setSession({ state: "in", who, offline: true });
  };
  useEffect(() => {
    if ("serviceWorker" in navigator) {
      const check = () => setSwReady(!!navigator.serviceWorker.controller);
      check();
      navigator.serviceWorker.addEventListener("controllerchange", check);
      navigator.serviceWorker.ready.then(check, () => undefined);
    }
  }, []);

  /** Nothing of the account stays on this device; the sign-in shows `notice` if given. */
  const forget = async (notice?: string) => {
    dropSnapshot();
    await clearAll();
    roleHint(null);
    // The next person to sign in on this device starts at home, not on the last page (an
    // admin page's ?next= stays: the sign-in returns there).
    const url = new URL(window.location.href);
    for (const key of ["tab", "day"]) url.searchParams.delete(key);
    window.history.replaceState(null, "", url.pathname + url.search);
    setSession({ state: "signed-out", notice });
  };

  const signOut = async () => {
    if (session.state === "in" && session.who.role === "patient") {
      // Reminders of this account must not keep arriving on a phone it signed out of.
      await import("./patient/push").then((m) => m.pushForget(), () => undefined);
      await import("./patient/drafts").then((m) => m.draftsForget(), () => undefined);
    }
    try {
      await call("DELETE", `${AUTH}/auth/session`);
    } catch {
      // offline: forget locally anyway
    }
    await forget();
  };

  // The server ended the session for inactivity (a clinician's automatic log-off).
  useEffect(() => {
    const onIdle = (event: Event) => void forget((event as CustomEvent<string>).detail);
    window.addEventListener(SIGNED_OUT_EVENT, onIdle);
    return () => window.removeEventListener(SIGNED_OUT_EVENT, onIdle);
  }, []);

  let body;
  if (session.state === "loading") body = <p class="center">{t.loading}</p>;
  else if (session.state === "signed-out")
    body = SignIn ? <SignIn onSignedIn={refresh} notice={session.notice} /> : <p class="center">{t.loading}</p>;
  else if (session.state === "server-problem") {
    const cached = session.cached;
    body = (
      <div class="card stack" role="alert" data-testid="server-problem">
        <p>{t.serverProblem(session.status)}</p>
        <button type="button" class="primary" onClick={retry}>
          {t.tryAgain}
        </button>
        {cached?.role === "patient" ? (
          <button type="button" onClick={() => void continueOffline(cached)}>
            {t.continueOffline}
          </button>
        ) : null}
      </div>
    );
  }
  else if (!Page) body = <p class="center">{t.loading}</p>;
  else body = <Page who={session.who} startedOffline={session.offline} onSignOut={signOut} />;

  return (
    <>
      <main id="main">{body}</main>
      <footer class="footer">
        {swReady ? <span data-testid="offline-ready">{t.offlineReady}</span> : null}
      </footer>
    </>
  );
}
