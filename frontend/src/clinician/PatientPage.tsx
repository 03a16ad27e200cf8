// One patient: header and section links; the overview, the plan editor and the raw diary
// (each a chunk of its own).
//
// Never the wrong patient: everything below the route is keyed by the patient id in the
// URL, so going from one patient to another (a link, Back, a pasted URL) starts from
// nothing; data are kept with the id they were loaded for (useLoad), a request for the
// previous patient is aborted, and a reply whose patient is not the one in the URL is
// never shown. Every action names the patient to the server, which checks it.
import type { ComponentType } from "preact";
import { useEffect, useState } from "preact/hooks";
import { t } from "../strings";
import { c } from "../strings-clinician";
import { ConditionControl } from "./ConditionControl";
import { fmtDate, fmtMg, getJson, label, LoadFailed, useLoad, usePageTitle } from "./common";
import { Overview } from "./Overview";
import { type PatientSection, patientHref, type Route } from "./routes";
import type { PatientDetail, SectionProps } from "./types";

export type { SectionProps } from "./types";

// Every section but the overview is a chunk of its own, loaded when first shown.
const sections: Record<Exclude<PatientSection, "overview">, () => Promise<ComponentType<SectionProps>>> = {
  questionnaires: () => import("./Questionnaires").then((m) => m.Questionnaires),
  plan: () => import("./PlanEditor").then((m) => m.PlanEditor),
  diary: () => import("./Diary").then((m) => m.Diary),
};

function Section({ name, props }: { name: PatientSection; props: SectionProps }) {
  const [Comp, setComp] = useState<{ name: PatientSection; C: ComponentType<SectionProps> } | null>(
    name === "overview" ? { name, C: Overview } : null,
  );
  useEffect(() => {
    if (name === "overview") {
      setComp({ name, C: Overview });
      return;
    }
    let live = true;
    void sections[name]().then((C) => live && setComp({ name, C }));
    return () => {
      live = false;
    };
  }, [name]);
  if (!Comp || Comp.name !== name) return <p aria-busy="true">{t.loading}</p>;
  return <Comp.C {...props} />;
}

type PatientRoute = Extract<Route, { page: "patient" }>;

function PatientBody({ route }: { route: PatientRoute }) {
  const [load, reload] = useLoad((signal) => getJson<PatientDetail>(`/patients/${encodeURIComponent(route.id)}`, signal), [route.id]);
  // The server answers for the id asked; a reply about anyone else is never shown.
  const detail = load.state === "ok" && load.data.patient.id === route.id ? load.data : null;
  const name = detail ? detail.patient.display_name || detail.patient.email : t.loading;
  const sectionName = { overview: c.tabOverview, questionnaires: c.tabQuestionnaires, plan: c.tabPlan, diary: c.tabDiary }[route.section];
  const heading = usePageTitle(`${name} · ${sectionName}`);
  const tabs: [PatientSection, string][] = [
    ["overview", c.tabOverview],
    ["questionnaires", c.tabQuestionnaires],
    ["plan", c.tabPlan],
    ["diary", c.tabDiary],
  ];
  return (
    <section class="stack" data-patient={route.id}>
      <p>
        <a href="#/">{c.backToTriage}</a>
      </p>
      {load.state === "error" ? (
        <LoadFailed status={load.status} retry={reload} />
      ) : (
        <>
          <header class="stack-tight">
            <h1 ref={heading} tabIndex={-1} data-testid="patient-name">
              {name}
            </h1>
            {detail ? (
              <p class="muted">
                {c.patientFacts(label(c.conditions, detail.patient.primary_condition), detail.patient.time_zone)} · {detail.patient.email} ·{" "}
                {c.linkedSince(fmtDate(detail.patient.linked_since))}
                {detail.plan.today ? ` · ${c.planNow(fmtMg(detail.plan.today.mg), label(c.timeNames, detail.plan.today.time_of_day).toLowerCase())}` : ""}
              </p>
            ) : null}
            {detail ? (
              <ConditionControl
                patientId={route.id}
                current={detail.patient.primary_condition}
                history={detail.condition_history ?? []}
                onSaved={reload}
              />
            ) : null}
          </header>
          <nav aria-label={c.patientNav}>
            <ul class="subnav">
              {tabs.map(([key, text]) => (
                <li>
                  <a href={patientHref(route.id, key)} aria-current={route.section === key ? "page" : undefined}>
                    {text}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
          {detail ? <Section name={route.section} props={{ detail, reloadDetail: reload, month: route.month }} /> : <p aria-busy="true">{t.loading}</p>}
        </>
      )}
    </section>
  );
}

export function PatientPage({ route }: { route: Route }) {
  if (route.page !== "patient") return null;
  return <PatientBody key={route.id} route={route} />;
}
