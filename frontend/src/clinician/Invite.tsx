// Invite a patient: a new code (big), the server's QR code and link; the clinic's pending,
// active and revoked links; revoke a pending invitation.
import { useState } from "preact/hooks";
import { t } from "../strings";
import { c } from "../strings-clinician";
import { ErrorLine, fmtDate, getJson, label, LoadFailed, problemText, send, Status, useLoad, usePageTitle } from "./common";
import { patientHref, type Route } from "./routes";
import type { Invitation, InvitationCreated, InvitationPage } from "./types";

const GROUPS: Invitation["status"][] = ["invited", "active", "revoked", "expired"];

async function loadAll(): Promise<Invitation[]> {
  const all: Invitation[] = [];
  for (let page = 1; page <= 20; page++) {
    const reply = await getJson<InvitationPage>(`/invitations?page=${page}&page_size=200`);
    all.push(...reply.results);
    if (!reply.next) break;
  }
  return all;
}

function Created({ invitation }: { invitation: InvitationCreated }) {
  const [copied, setCopied] = useState("");
  return (
    <section class="card stack invite-new" aria-labelledby="new-code-title" data-testid="new-invitation">
      <h2 id="new-code-title">{c.inviteCode}</h2>
      <p class="code" data-testid="invite-code">
        {invitation.code}
      </p>
      <p class="muted">{c.inviteExpires(fmtDate(invitation.expires_at))}</p>
      {invitation.qr_svg ? (
        <figure class="qr" data-testid="invite-qr">
          <div dangerouslySetInnerHTML={{ __html: invitation.qr_svg }} />
          <figcaption class="small muted">{c.inviteQr}</figcaption>
        </figure>
      ) : null}
      {invitation.invite_url ? (
        <div class="stack">
          <p>
            <strong>{c.inviteUrl}: </strong>
            <a href={invitation.invite_url} data-testid="invite-url" class="break">
              {invitation.invite_url}
            </a>
          </p>
          <button
            type="button"
            onClick={() => {
              navigator.clipboard?.writeText(invitation.invite_url).then(
                () => setCopied(c.copied),
                () => setCopied(""),
              );
            }}
          >
            {c.copy}
          </button>
          <Status text={copied} />
        </div>
      ) : null}
    </section>
  );
}

export function Invite(_: { route: Route }) {
  const heading = usePageTitle(c.inviteTitle);
  const [note, setNote] = useState("");
  const [created, setCreated] = useState<InvitationCreated | null>(null);
  const [error, setError] = useState("");
  const [done, setDone] = useState("");
  const [busy, setBusy] = useState(false);
  const [load, reload] = useLoad(loadAll, []);

  const create = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setDone("");
    const reply = await send<InvitationCreated>("POST", "/invitations", { note });
    setBusy(false);
    if (reply.ok && reply.status === 201) {
      setCreated(reply.body);
      setError("");
      setNote("");
      reload();
    } else setError(problemText(reply));
  };
  const revoke = async (inv: Invitation) => {
    const reply = await send("POST", `/invitations/${inv.id}/revoke`);
    if (reply.status === 200) {
      setDone(c.revoked);
      reload();
    } else setError(problemText(reply));
  };

  return (
    <section class="stack">
      <h1 ref={heading} tabIndex={-1}>
        {c.inviteTitle}
      </h1>
      <p class="muted">{c.inviteIntro}</p>
      <form class="card filters" onSubmit={create}>
        <label class="field grow">
          <span>{c.inviteNote}</span>
          <input value={note} maxLength={200} onInput={(e) => setNote(e.currentTarget.value)} />
        </label>
        <button type="submit" class="primary" disabled={busy}>
          {c.createInvite}
        </button>
      </form>
      <ErrorLine text={error} />
      {created ? <Created invitation={created} /> : null}
      <Status text={done} />
      <h2>{c.linksTitle}</h2>
      {load.state === "loading" ? <p aria-busy="true">{t.loading}</p> : null}
      {load.state === "error" ? <LoadFailed status={load.status} retry={reload} /> : null}
      {load.state === "ok"
        ? GROUPS.map((status) => {
            const rows = load.data.filter((x) => x.status === status);
            if (!rows.length && status === "expired") return null;
            return (
              <div class="card">
                <h3 id={`links-${status}`}>
                  {label(c.linkGroups, status)} ({rows.length})
                </h3>
                {rows.length ? (
                  <div class="tablewrap" role="region" aria-labelledby={`links-${status}`} tabIndex={0}>
                    <table data-testid={`links-${status}`} aria-labelledby={`links-${status}`}>
                      <thead>
                        <tr>
                          <th scope="col">{c.colNoteRef}</th>
                          <th scope="col">{c.colInvited}</th>
                          <th scope="col">{c.colStatusDate}</th>
                          <th scope="col">{c.colBy}</th>
                          {status === "invited" ? <th scope="col">{c.colAction}</th> : null}
                        </tr>
                      </thead>
                      <tbody>
                        {rows.map((x) => (
                          <tr>
                            <th scope="row">{x.patient ? <a href={patientHref(x.patient)}>{x.invitee_note || c.tabOverview}</a> : x.invitee_note || c.none}</th>
                            <td>{fmtDate(x.invited_at)}</td>
                            <td>
                              {status === "invited"
                                ? c.inviteExpires(fmtDate(x.expires_at))
                                : fmtDate(status === "active" ? x.consented_at : status === "revoked" ? x.revoked_at : x.expires_at)}
                            </td>
                            <td>{x.clinician}</td>
                            {status === "invited" ? (
                              <td>
                                <button type="button" class="small-btn" aria-label={c.revokeNamed(x.invitee_note || fmtDate(x.invited_at))} onClick={() => void revoke(x)}>
                                  {c.revoke}
                                </button>
                              </td>
                            ) : null}
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </div>
                ) : (
                  <p class="muted">{c.noLinks}</p>
                )}
              </div>
            );
          })
        : null}
    </section>
  );
}
