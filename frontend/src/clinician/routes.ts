// Hash routes of the clinician dashboard (so a patient page has a URL and Back works).

export type Route =
  | { page: "triage" }
  | { page: "patient"; id: string; section: PatientSection; month?: string }
  | { page: "invite" }
  | { page: "outcomes" }
  | { page: "clinic" };

export type PatientSection = "overview" | "questionnaires" | "plan" | "diary";
const SECTIONS: PatientSection[] = ["overview", "questionnaires", "plan", "diary"];

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, "").split("/").filter(Boolean).map(decodeURIComponent);
  if (parts[0] === "patients" && parts[1]) {
    const section = SECTIONS.find((s) => s !== "overview" && s === parts[2]) ?? "overview";
    return { page: "patient", id: parts[1], section, month: section === "diary" ? parts[3] : undefined };
  }
  if (parts[0] === "invite") return { page: "invite" };
  if (parts[0] === "outcomes") return { page: "outcomes" };
  if (parts[0] === "clinic") return { page: "clinic" };
  return { page: "triage" };
}

export function patientHref(id: string, section: PatientSection = "overview", month?: string): string {
  const base = `#/patients/${encodeURIComponent(id)}`;
  if (section === "overview") return base;
  return month ? `${base}/${section}/${month}` : `${base}/${section}`;
}
