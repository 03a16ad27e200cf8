// The Me tab: a thin list of sections, each in its own file, and signing out.
import { t } from "../strings";
import type { WhoAmI } from "../types";
import { CareLinks } from "./CareLinks";
import { MyData } from "./MyData";
import { RemindersSettings } from "./Reminders";

export interface MeProps {
  who: WhoAmI;
  onSignOut: () => void;
  signOutBlocked: boolean; // changes still wait to sync
}

export function Me({ who, onSignOut, signOutBlocked }: MeProps) {
  return (
    <div class="stack">
      <RemindersSettings />
      <CareLinks />
      <MyData who={who} onDeleted={onSignOut} />
      <section class="card stack" aria-labelledby="account-title">
        <h2 id="account-title">{t.signOutSection}</h2>
        {signOutBlocked ? <p class="muted small">{t.signOutBlocked}</p> : null}
        <button type="button" class="secondary" onClick={onSignOut} disabled={signOutBlocked}>
          {t.signOut}
        </button>
      </section>
    </div>
  );
}
