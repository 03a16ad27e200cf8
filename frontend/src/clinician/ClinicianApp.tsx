// The clinician chunk: top navigation and hash routes, each page in its own lazy chunk
// (the triage list, the home page, comes with this one).
//   #/                      triage list
//   #/patients/<id>         patient overview (charts, tables, verdict, flags)
//   #/patients/<id>/questionnaires  what is due, every response, enter one on the patient's behalf
//   #/patients/<id>/plan    plan editor, stop, reported baseline
//   #/patients/<id>/diary[/<YYYY-MM>]  raw diary, read only
//   #/invite                invitations
//   #/outcomes              clinic outcomes
//   #/clinic                the clinic's HIT-6 wording (clinic administrators enter it)
import type { ComponentType } from "preact";
import { useEffect, useState } from "preact/hooks";
import type { PageProps } from "../types";
import { t } from "../strings";
import { c } from "../strings-clinician";
import { parseRoute, type Route } from "./routes";
import { Triage } from "./Triage";

type Lazy = ComponentType<{ route: Route }>;
const loaders: Record<string, () => Promise<Lazy>> = {
  patient: () => import("./PatientPage").then((m) => m.PatientPage as Lazy),
  invite: () => import("./Invite").then((m) => m.Invite as Lazy),
  outcomes: () => import("./Outcomes").then((m) => m.Outcomes as Lazy),
  clinic: () => import("./Clinic").then((m) => m.Clinic as Lazy),
};

function useRoute(): Route {
  const [route, setRoute] = useState<Route>(() => parseRoute(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(location.hash));
    window.addEventListener("hashchange", onChange);
    return () => window.removeEventListener("hashchange", onChange);
  }, []);
  return route;
}

function LazyPage({ route }: { route: Route }) {
  const [Page, setPage] = useState<{ key: string; C: Lazy } | null>(null);
  useEffect(() => {
    let live = true;
    const load = loaders[route.page];
    if (load) void load().then((C) => live && setPage({ key: route.page, C }));
    return () => {
      live = false;
    };
  }, [route.page]);
  if (!Page || Page.key !== route.page) return <p class="center">{t.loading}</p>;
  return <Page.C route={route} />;
}

export function ClinicianApp({ who, onSignOut }: PageProps) {
  const route = useRoute();
  if (who.role !== "clinician") {
    return (
      <section class="card stack">
        <h1>{t.clinicianTitle}</h1>
        <p>{t.noRole}</p>
        <button type="button" class="secondary" onClick={onSignOut}>
          {t.signOut}
        </button>
      </section>
    );
  }
  const links: [string, string, boolean][] = [
    ["#/", c.navTriage, route.page === "triage"],
    ["#/invite", c.navInvite, route.page === "invite"],
    ["#/outcomes", c.navOutcomes, route.page === "outcomes"],
    ["#/clinic", c.navClinic, route.page === "clinic"],
  ];
  return (
    <div class="clin">
      <nav class="clinnav" aria-label={c.navLabel}>
        <span class="brand">{t.appName}</span>
        <ul>
          {links.map(([href, text, current]) => (
            <li>
              <a href={href} aria-current={current ? "page" : undefined}>
                {text}
              </a>
            </li>
          ))}
          <li>
            <button type="button" class="link" onClick={onSignOut}>
              {t.signOut}
            </button>
          </li>
        </ul>
      </nav>
      {route.page === "triage" ? <Triage /> : <LazyPage route={route} />}
    </div>
  );
}
