// Day arithmetic in the patient's time zone (used when offline; online, /me/today decides).
import { t } from "./strings";

// Making an Intl.DateTimeFormat is costly (locale and time zone data), above all on a slow
// phone as the app opens: each one is made once and kept.
const partsFormats = new Map<string, Intl.DateTimeFormat>();

function partsIn(tz: string, at: Date): { date: string; minutes: number } {
  let fmt = partsFormats.get(tz);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat("en-CA", {
      timeZone: tz,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    });
    partsFormats.set(tz, fmt);
  }
  const p: Record<string, string> = {};
  for (const part of fmt.formatToParts(at)) p[part.type] = part.value;
  return { date: `${p.year}-${p.month}-${p.day}`, minutes: Number(p.hour) * 60 + Number(p.minute) };
}

export function addDays(iso: string, days: number): string {
  const d = new Date(`${iso}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** The phone's own local date and time: Date's local methods, no Intl. */
function phoneParts(at: Date): { date: string; minutes: number } {
  const two = (n: number) => String(n).padStart(2, "0");
  return { date: `${at.getFullYear()}-${two(at.getMonth() + 1)}-${two(at.getDate())}`, minutes: at.getHours() * 60 + at.getMinutes() };
}

// The first Intl.DateTimeFormat of a page costs 100-400 ms on a slow phone (4x throttled
// Chromium here), which Today would wait for when the app opens offline. When this phone
// was last found to be in the patient's zone (same zone name, checked with Intl after
// Today is on screen) and its UTC offset is still the one seen then, the phone's own clock
// gives the same date at no cost. The hint is a zone name and an offset (zoneHint); the
// patient app keeps it with the phone's copy (boot.ts reads it with the first snapshot).

/** Whether the phone's clock may stand in for `tz` now, given the last `hint`. */
export function phoneIsIn(tz: string, hint: string | null | undefined, at: Date = new Date()): boolean {
  return !!hint && hint === `${tz} ${at.getTimezoneOffset()}`;
}

/** The hint to keep, checked with Intl: null when the phone is not in `tz`. */
export function zoneHint(tz: string, at: Date = new Date()): string | null {
  return browserTimeZone() === tz ? `${tz} ${at.getTimezoneOffset()}` : null;
}

/** The calendar date now in `tz` (`quick`: from the phone's clock, see phoneIsIn). */
export function calendarDate(tz: string, at: Date = new Date(), quick = false): string {
  return (quick ? phoneParts(at) : partsIn(tz, at)).date;
}

/** The diary day to propose: before the day boundary (e.g. "04:00") it is still yesterday. */
export function diaryToday(tz: string, boundary: string, at: Date = new Date(), quick = false): string {
  const { date, minutes } = quick ? phoneParts(at) : partsIn(tz, at);
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

/** "Monday", from strings.ts (no Intl: see phoneIsIn). */
export function weekdayName(iso: string): string {
  return t.weekdays[(new Date(`${iso}T12:00:00Z`).getUTCDay() + 6) % 7];
}

/** "2 November". */
export function formatDayMonth(iso: string): string {
  const d = new Date(`${iso}T12:00:00Z`);
  return t.dayMonth(d.getUTCDate(), t.months[d.getUTCMonth()]);
}

/** "Monday 2 November". */
export function formatDay(iso: string): string {
  return t.dayLong(weekdayName(iso), formatDayMonth(iso));
}
