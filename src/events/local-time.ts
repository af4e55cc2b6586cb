/**
 * Local hour and weekday in an IANA time zone, from Intl (which knows the offsets and their
 * daylight-saving changes). An offset is looked up once per zone per UTC hour and reused.
 */
export class LocalTime {
  private readonly formatters: Intl.DateTimeFormat[];
  /** Per zone: the UTC hour (ms) the cached offset is for, and the offset (ms). */
  private readonly hourStart: Float64Array;
  private readonly offsetMs: Float64Array;

  constructor(readonly zones: readonly string[]) {
    this.formatters = zones.map(
      (timeZone) => new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' }),
    );
    this.hourStart = new Float64Array(zones.length).fill(Number.NaN);
    this.offsetMs = new Float64Array(zones.length);
  }

  /** The zone's offset from UTC at `ms` (local = UTC + offset). */
  offset(zone: number, ms: number): number {
    const hour = ms - (((ms % 3_600_000) + 3_600_000) % 3_600_000);
    if (this.hourStart[zone] !== hour) {
      const p = Object.fromEntries(this.formatters[zone].formatToParts(hour).map((x) => [x.type, x.value]));
      const local = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute));
      this.hourStart[zone] = hour;
      this.offsetMs[zone] = local - hour;
    }
    return this.offsetMs[zone];
  }

  /** Local hour (0-23) and weekday (0 = Sunday) in the zone at `ms`. */
  at(zone: number, ms: number): { hour: number; weekday: number } {
    const d = new Date(ms + this.offset(zone, ms));
    return { hour: d.getUTCHours(), weekday: d.getUTCDay() };
  }
}
