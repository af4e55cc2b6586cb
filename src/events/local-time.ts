/**
 * Local hour and weekday in an IANA time zone, from Intl (which knows the offsets and their
 * daylight-saving changes). Offsets change at most a few times a year, so they are looked up
 * per zone per week: when the offsets at both ends of a week agree, the whole week has that
 * offset; a week with a change is looked up hour by hour. (A backfill on a small catalog runs
 * through months of simulated time in seconds; an Intl call per simulated hour was most of
 * the engine's time.)
 */
const hourMs = 3_600_000;
const weekMs = 7 * 24 * hourMs;

export class LocalTime {
  private readonly formatters: Intl.DateTimeFormat[];
  /** Per zone: the week (start ms) the cached offset holds for, or the hour when the week has a change. */
  private readonly spanStart: Float64Array;
  private readonly spanEnd: Float64Array;
  private readonly offsetMs: Float64Array;

  constructor(readonly zones: readonly string[]) {
    this.formatters = zones.map(
      (timeZone) => new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' }),
    );
    this.spanStart = new Float64Array(zones.length).fill(Number.NaN);
    this.spanEnd = new Float64Array(zones.length).fill(Number.NaN);
    this.offsetMs = new Float64Array(zones.length);
  }

  /** The zone's offset from UTC at the start of the UTC hour `hour` (ms). */
  private lookup(zone: number, hour: number): number {
    const p = Object.fromEntries(this.formatters[zone].formatToParts(hour).map((x) => [x.type, x.value]));
    return Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute)) - hour;
  }

  /** The zone's offset from UTC at `ms` (local = UTC + offset). */
  offset(zone: number, ms: number): number {
    if (ms >= this.spanStart[zone] && ms < this.spanEnd[zone]) return this.offsetMs[zone];
    const week = Math.floor(ms / weekMs) * weekMs;
    const first = this.lookup(zone, week);
    if (first === this.lookup(zone, week + weekMs)) {
      this.spanStart[zone] = week;
      this.spanEnd[zone] = week + weekMs;
      this.offsetMs[zone] = first;
    } else {
      // The offset changes this week: hour by hour.
      const hour = Math.floor(ms / hourMs) * hourMs;
      this.spanStart[zone] = hour;
      this.spanEnd[zone] = hour + hourMs;
      this.offsetMs[zone] = this.lookup(zone, hour);
    }
    return this.offsetMs[zone];
  }

  /** Local hour (0-23) and weekday (0 = Sunday) in the zone at `ms`. */
  at(zone: number, ms: number): { hour: number; weekday: number } {
    const d = new Date(ms + this.offset(zone, ms));
    return { hour: d.getUTCHours(), weekday: d.getUTCDay() };
  }
}
