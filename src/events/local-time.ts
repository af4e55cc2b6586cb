/**
 * Local hour and weekday in an IANA time zone, at the cost of an addition. Intl knows the
 * offsets and their daylight-saving changes, but asking it costs microseconds; the engine asks
 * for every zone at every session arrival. A zone's offset holds from one change to the next
 * (months), so each zone keeps its current offset and the span it holds for; a time inside the
 * span is one comparison and one addition, a time outside it (the clock moved past the next
 * change — or backwards, which a clock per partition may do when a run starts again) looks the
 * span up once.
 *
 * The offsets are the ones this engine has always used, so the same seed gives the same
 * records: a week whose two ends have the same offset has that offset throughout; in a week
 * whose ends differ, the offset changes on a UTC hour (the offset at the start of each hour
 * holds for the hour; a zone changing at half past, like Adelaide, changes at the next hour).
 * That assumes no zone changes twice in one week, which none of the reference data's does.
 */
const minuteMs = 60_000;
const hourMs = 3_600_000;
const dayMs = 24 * hourMs;
const weekMs = 7 * dayMs;
/** How far ahead a span is looked for (a zone without daylight saving looks again yearly). */
const horizonWeeks = 53;
/** 1970-01-01, day 0, was a Thursday. */
const epochWeekday = 4;

export class LocalTime {
  private readonly formatters: Intl.DateTimeFormat[];
  /** Per zone: the span [start, end) the cached offset holds for (NaN: none yet). */
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

  /** The zone's offset from UTC at `ms` exactly, from Intl (to the minute). */
  private lookup(zone: number, ms: number): number {
    let year = 0;
    let month = 0;
    let day = 0;
    let hour = 0;
    let minute = 0;
    for (const part of this.formatters[zone].formatToParts(ms)) {
      if (part.type === 'year') year = Number(part.value);
      else if (part.type === 'month') month = Number(part.value);
      else if (part.type === 'day') day = Number(part.value);
      else if (part.type === 'hour') hour = Number(part.value);
      else if (part.type === 'minute') minute = Number(part.value);
    }
    return Date.UTC(year, month - 1, day, hour, minute) - Math.floor(ms / minuteMs) * minuteMs;
  }

  /** The zone's offset from UTC at `ms` (local = UTC + offset). */
  offset(zone: number, ms: number): number {
    if (ms >= this.spanStart[zone] && ms < this.spanEnd[zone]) return this.offsetMs[zone];
    this.findSpan(zone, ms);
    return this.offsetMs[zone];
  }

  /** Looks up the offset at `ms` and how long it holds (see the class comment for the rule). */
  private findSpan(zone: number, ms: number): void {
    const hour = Math.floor(ms / hourMs) * hourMs;
    let week = Math.floor(ms / weekMs) * weekMs;
    const first = this.lookup(zone, week);
    const last = this.lookup(zone, week + weekMs);
    const offset = first === last ? first : this.lookup(zone, hour);
    this.spanStart[zone] = first === last ? week : hour;
    this.offsetMs[zone] = offset;
    if (offset !== last) {
      // This week's change is still ahead.
      this.spanEnd[zone] = this.changeHour(zone, offset, hour, week + weekMs);
      return;
    }
    // The offset holds to the end of this week: look for the next week whose end differs.
    for (let i = 0; i < horizonWeeks; i++) {
      week += weekMs;
      if (this.lookup(zone, week + weekMs) !== offset) {
        this.spanEnd[zone] = this.changeHour(zone, offset, week, week + weekMs);
        return;
      }
    }
    this.spanEnd[zone] = week + weekMs;
  }

  /** The first UTC hour in (from, to] whose offset is not `offset`, given `from`'s is and `to`'s is not. */
  private changeHour(zone: number, offset: number, from: number, to: number): number {
    let lo = from;
    let hi = to;
    while (hi - lo > hourMs) {
      const mid = lo + Math.floor((hi - lo) / 2 / hourMs) * hourMs;
      if (this.lookup(zone, mid) === offset) lo = mid;
      else hi = mid;
    }
    return hi;
  }

  /** Local hour of the week in the zone at `ms`: weekday (0 = Sunday) × 24 + hour (0-23). */
  hourOfWeek(zone: number, ms: number): number {
    const local = ms + this.offset(zone, ms);
    const days = Math.floor(local / dayMs);
    const hour = Math.floor((local - days * dayMs) / hourMs);
    const weekday = (((days + epochWeekday) % 7) + 7) % 7;
    return weekday * 24 + hour;
  }

  /** Local hour (0-23) and weekday (0 = Sunday) in the zone at `ms`. */
  at(zone: number, ms: number): { hour: number; weekday: number } {
    const h = this.hourOfWeek(zone, ms);
    return { hour: h % 24, weekday: Math.floor(h / 24) };
  }
}
