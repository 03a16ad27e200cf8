// Day arithmetic in the patient's time zone (used when offline; online, /me/today decides).

function partsIn(tz: string, at: Date): { date: string; minutes: number } {
  const fmt = new Intl.DateTimeFormat("en-CA", {
    timeZone: tz,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  });
  const p: Record<string, string> = {};
  for (const part of fmt.formatToParts(at)) p[part.type] = part.value;
  return { date: `${p.year}-${p.month}-${p.day}`, minutes: Number(p.hour) * 60 + Number(p.minute) };
}

export function addDays(iso: string, days: number): string {
  const d = new Date(`${iso}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** The calendar date now in `tz`. */
export function calendarDate(tz: string, at: Date = new Date()): string {
  return partsIn(tz, at).date;
}

/** The diary day to propose: before the day boundary (e.g. "04:00") it is still yesterday. */
export function diaryToday(tz: string, boundary: string, at: Date = new Date()): string {
  const { date, minutes } = partsIn(tz, at);
  const [h, m] = boundary.split(":").map(Number);
  return minutes < h * 60 + (m || 0) ? addDays(date, -1) : date;
}

export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

export function formatDay(iso: string): string {
  const d = new Date(`${iso}T12:00:00Z`);
  return new Intl.DateTimeFormat(undefined, { weekday: "long", day: "numeric", month: "long", timeZone: "UTC" }).format(d);
}
