/**
 * DICOM DA/TM/DT values to UTC instants (DICOM PS3.5 §6.2). ARCHITECTURE.md §Time: a date-time without
 * an offset is read in the facility time zone (MOSAIC_TIMEZONE, default UTC) unless the file carries
 * Timezone Offset From UTC (0008,0201).
 */

/** "+hhmm"/"-hhmm" → minutes east of UTC; undefined when absent or malformed. */
export function parseUtcOffset(value: string | undefined): number | undefined {
  const m = /^([+-])(\d{2})(\d{2})$/u.exec(value?.trim() ?? '');
  if (!m) return undefined;
  const minutes = Number(m[2]) * 60 + Number(m[3]);
  return m[1] === '-' ? -minutes : minutes;
}

/** Offset of an IANA zone at an instant, minutes east of UTC. */
function zoneOffsetMinutes(timeZone: string, epochMs: number): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(epochMs));
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
  );
  return Math.round((asUtc - Math.floor(epochMs / 1000) * 1000) / 60000);
}

export interface ResolvedDateTime {
  /** The DICOM value(s) as found, "YYYYMMDDHHMMSS.FFFFFF&ZZXX" style. */
  dicom: string;
  /** ISO 8601 UTC instant. */
  utc: string;
  /** Where the offset came from. */
  offsetSource: 'value' | 'TimezoneOffsetFromUTC' | 'facility';
}

/**
 * Resolves a DT (or DA + TM) to a UTC instant. Missing components default to their minimum
 * (PS3.5 Table 6.2-1 allows truncated values).
 */
export function resolveDicomDateTime(
  dt: string | undefined,
  opts: { timezoneOffsetFromUtc?: string; facilityTimeZone?: string } = {},
): ResolvedDateTime | undefined {
  const value = dt?.trim();
  if (!value) return undefined;
  const m = /^(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:\.(\d{1,6}))?([+-]\d{4})?$/u.exec(value);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i, k) =>
    Number(m[i] ?? (k === 1 || k === 2 ? '1' : '0')),
  );
  const fraction = m[7] ? Number(`0.${m[7]}`) : 0;
  const wall = Date.UTC(year, month - 1, day, hour, minute, second) + Math.round(fraction * 1000);
  if (
    Number.isNaN(wall) ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > 31 ||
    hour > 23 ||
    minute > 59 ||
    second > 60
  ) {
    return undefined;
  }
  let offset = parseUtcOffset(m[8]);
  let offsetSource: ResolvedDateTime['offsetSource'] = 'value';
  if (offset === undefined) {
    offset = parseUtcOffset(opts.timezoneOffsetFromUtc);
    offsetSource = 'TimezoneOffsetFromUTC';
  }
  if (offset === undefined) {
    const zone = opts.facilityTimeZone ?? process.env.MOSAIC_TIMEZONE ?? 'UTC';
    offsetSource = 'facility';
    // Wall time → instant: correct once, then re-check across a DST transition.
    const first = zoneOffsetMinutes(zone, wall);
    offset = zoneOffsetMinutes(zone, wall - first * 60000);
  }
  return { dicom: value, utc: new Date(wall - offset * 60000).toISOString(), offsetSource };
}

/** DA + TM → DT string ("YYYYMMDD" + "HHMMSS.FFFFFF"). */
export function combineDateTime(date: string | undefined, time: string | undefined): string | undefined {
  if (!date) return undefined;
  return `${date.trim()}${(time ?? '').trim().replace(/:/gu, '')}`;
}
