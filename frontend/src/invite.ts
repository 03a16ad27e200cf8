// A clinic's QR code opens `<origin>/?invite=CODE`. The code is read once, when the app
// loads, and taken out of the address bar (so a reload or a shared screenshot does not
// carry it). Sign-up pre-fills it; a signed-in patient gets the "Add a clinic" form.
let pending: string | null = null;

if (typeof window !== "undefined") {
  const url = new URL(window.location.href);
  const code = url.searchParams.get("invite");
  if (code !== null) {
    pending = code.trim().slice(0, 32) || null;
    url.searchParams.delete("invite");
    window.history.replaceState(window.history.state, "", url.pathname + url.search + url.hash);
  }
}

/** The invitation code from the link the app was opened with, if it is still unused. */
export function pendingInvite(): string | null {
  return pending;
}

/** The code was used (sign-up with it) or the patient dealt with it. */
export function clearInvite(): void {
  pending = null;
}
