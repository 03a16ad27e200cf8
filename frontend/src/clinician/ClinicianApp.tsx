// The clinician chunk. The dashboard is not built yet; this page says so honestly.
import type { PageProps } from "../app";
import { t } from "../strings";

export function ClinicianApp({ who, onSignOut }: PageProps) {
  return (
    <section class="card stack">
      <h1>{t.clinicianTitle}</h1>
      <p>{who.role === "clinician" ? t.clinicianComing : t.noRole}</p>
      {who.role === "clinician" ? (
        <p>
          <a class="button" href="/api/v1/docs/">
            {t.apiDocs}
          </a>
        </p>
      ) : null}
      <button type="button" class="secondary" onClick={onSignOut}>
        {t.signOut}
      </button>
    </section>
  );
}
