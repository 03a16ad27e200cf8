// The Me tab: a thin list of sections, each in its own file, and signing out (which warns
// first when changes on this phone are not on the server yet).
import { useState } from "preact/hooks";
import { formatDay } from "../dates";
import { db } from "../db";
import { t } from "../strings";
import { replay } from "../sync";
import type { OutboxItem, Profile, WhoAmI } from "../types";
import { CareLinks } from "./CareLinks";
import { MyCondition } from "./Condition";
import { draftDates } from "./drafts";
import { MyData } from "./MyData";
import { RemindersSettings } from "./Reminders";
import { Confirm } from "./TodayParts";

export interface MeProps {
  who: WhoAmI;
  onSignOut: () => void;
  profile: Profile | null;
}

interface Unsynced {
  days: string[]; // the days with a change not on the server (queued, refused, or a draft)
  refused: number;
}

async function unsynced(): Promise<Unsynced> {
  const items: OutboxItem[] = await (await db()).getAll("outbox");
  const days = new Set([...items.map((i) => i.date), ...(await draftDates())]);
  return { days: [...days].sort(), refused: items.filter((i) => i.blocked && i.blocked !== "conflict").length };
}

export function Me({ who, onSignOut, profile }: MeProps) {
  return (
    <div class="stack">
      <MyCondition profile={profile} />
      <RemindersSettings />
      <CareLinks />
      <MyData who={who} onDeleted={onSignOut} />
      <SignOut onSignOut={onSignOut} />
    </div>
  );
}

function SignOut({ onSignOut }: { onSignOut: () => void }) {
  const [asking, setAsking] = useState<Unsynced | null>(null);
  const [busy, setBusy] = useState(false);
  const start = async () => {
    const found = await unsynced();
    if (found.days.length) setAsking(found);
    else onSignOut();
  };
  const syncFirst = async () => {
    setBusy(true);
    try {
      await replay();
      const left = await unsynced();
      if (left.days.length) setAsking(left);
      else {
        setAsking(null);
        onSignOut();
      }
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="card stack" aria-labelledby="account-title">
      <h2 id="account-title">{t.signOutSection}</h2>
      <button type="button" class="secondary" onClick={() => void start()} disabled={busy}>
        {t.signOut}
      </button>
      {asking ? (
        <Confirm
          title={t.signOutUnsyncedTitle(asking.days.length)}
          text={t.signOutUnsynced(asking.days.map(formatDay).join(", "), asking.refused > 0)}
          confirm={t.signOutAnyway}
          cancel={t.staySignedIn}
          onCancel={() => setAsking(null)}
          onConfirm={() => {
            setAsking(null);
            onSignOut();
          }}
          extra={
            navigator.onLine && asking.refused === 0 ? (
              <button type="button" class="primary" disabled={busy} onClick={() => void syncFirst()}>
                {t.syncThenSignOut}
              </button>
            ) : null
          }
        />
      ) : null}
    </section>
  );
}
