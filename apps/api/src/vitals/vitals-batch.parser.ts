import { normaliseVital, RecordStatus } from '@mosaic/domain';
import { RequestError, RequestErrorCode } from '../common/errors/request.errors';
import type { ProblemItem } from '../common/errors/mosaic-error';
import { isInstant } from '../patients/dto/instant.validator';
import { MAX_VITALS_BATCH } from './dto/vitals.dto';
import { VitalError, VitalErrorCode } from './vitals.errors';

/** One observation ready to insert: canonical value and unit, with the received ones kept beside. */
export interface NormalisedVital {
  code: string;
  value: number;
  unit: string;
  receivedValue: number;
  receivedUnit: string;
  /** ISO 8601 UTC. */
  effectiveAt: string;
  status: RecordStatus;
}

const ALLOWED_KEYS = new Set(['code', 'value', 'unit', 'effectiveAt', 'status']);
const STATUSES = new Set<string>(Object.values(RecordStatus));
/** Problem lists are capped so a batch of 10,000 bad rows still yields a readable response. */
const MAX_LISTED_PROBLEMS = 1000;

/**
 * Checks and converts a request body in one pass. The body is validated by hand rather than by
 * class-validator DTOs (the route's body parameter is untyped, so the global ValidationPipe leaves it
 * alone): transforming and validating 10,000 nested objects costs more than inserting them, and this
 * yields the same field pointers (`/observations/12/value`) and the same 400 problem document. Shape errors are 400; well-formed observations that
 * cannot be accepted (unknown code, unit not accepted for the code, outside the physiological range)
 * are 422. Every problem is listed, so a client can fix the whole batch at once.
 */
export function parseVitalsBatch(body: unknown): NormalisedVital[] {
  const observations = batchOf(body);
  if (observations.length > MAX_VITALS_BATCH) {
    throw new VitalError(
      VitalErrorCode.BatchTooLarge,
      `a batch holds at most ${MAX_VITALS_BATCH.toLocaleString('en')} observations; this one has ` +
        `${observations.length.toLocaleString('en')}: split it into several requests`,
      [],
      { maxObservations: MAX_VITALS_BATCH, received: observations.length },
    );
  }
  const shapeProblems: ProblemItem[] = [];
  const rejections: ProblemItem[] = [];
  const result: NormalisedVital[] = [];
  observations.forEach((raw, index) => {
    const at = `/observations/${index}`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      shapeProblems.push({ pointer: at, detail: 'must be an object' });
      return;
    }
    const item = raw as Record<string, unknown>;
    const before = shapeProblems.length;
    for (const key of Object.keys(item)) {
      if (!ALLOWED_KEYS.has(key))
        shapeProblems.push({ pointer: `${at}/${key}`, detail: `property ${key} should not exist` });
    }
    if (typeof item.code !== 'string' || item.code.length === 0) {
      shapeProblems.push({ pointer: `${at}/code`, detail: 'code must be a LOINC code string' });
    }
    if (typeof item.value !== 'number' || !Number.isFinite(item.value)) {
      shapeProblems.push({ pointer: `${at}/value`, detail: 'value must be a finite number' });
    }
    if (typeof item.unit !== 'string' || item.unit.length === 0) {
      shapeProblems.push({ pointer: `${at}/unit`, detail: 'unit must be a UCUM unit string' });
    }
    if (!isInstant(item.effectiveAt)) {
      shapeProblems.push({
        pointer: `${at}/effectiveAt`,
        detail:
          'effectiveAt must be an ISO 8601 date-time with a time zone offset, e.g. 2024-03-15T10:15:00Z',
      });
    }
    if (item.status !== undefined && (typeof item.status !== 'string' || !STATUSES.has(item.status))) {
      shapeProblems.push({
        pointer: `${at}/status`,
        detail: `status must be one of ${[...STATUSES].join(', ')}`,
      });
    }
    if (shapeProblems.length > before) return;

    const code = item.code as string;
    const value = item.value as number;
    const unit = item.unit as string;
    const normalised = normaliseVital(code, value, unit);
    if (!normalised.ok) {
      const field =
        normalised.reason === 'unknown-code'
          ? 'code'
          : normalised.reason === 'unit-not-accepted'
            ? 'unit'
            : 'value';
      rejections.push({ pointer: `${at}/${field}`, detail: normalised.message });
      return;
    }
    result.push({
      code,
      value: normalised.value,
      unit: normalised.unit,
      receivedValue: value,
      receivedUnit: unit,
      effectiveAt: new Date(item.effectiveAt as string).toISOString(),
      status: (item.status as RecordStatus | undefined) ?? RecordStatus.Final,
    });
  });

  if (shapeProblems.length > 0) {
    throw new RequestError(
      RequestErrorCode.ValidationFailed,
      `${shapeProblems.length} invalid field${shapeProblems.length === 1 ? '' : 's'} in the batch; nothing was stored: ` +
        summarise(shapeProblems),
      shapeProblems.slice(0, MAX_LISTED_PROBLEMS),
    );
  }
  if (rejections.length > 0) {
    throw new VitalError(
      VitalErrorCode.ObservationsRejected,
      `${rejections.length} observation${rejections.length === 1 ? ' was' : 's were'} refused; nothing was stored: ` +
        summarise(rejections),
      rejections.slice(0, MAX_LISTED_PROBLEMS),
      { rejectedCount: rejections.length },
    );
  }
  return result;
}

/** The request body's shape: `{ observations: [...] }` with at least one item and nothing else. */
function batchOf(body: unknown): readonly unknown[] {
  const problems: ProblemItem[] = [];
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    problems.push({ pointer: '', detail: 'the body must be a JSON object { "observations": [...] }' });
  } else {
    for (const key of Object.keys(body)) {
      if (key !== 'observations')
        problems.push({ pointer: `/${key}`, detail: `property ${key} should not exist` });
    }
    const observations = (body as { observations?: unknown }).observations;
    if (!Array.isArray(observations)) {
      problems.push({ pointer: '/observations', detail: 'observations must be an array' });
    } else if (observations.length === 0) {
      problems.push({ pointer: '/observations', detail: 'observations must contain at least 1 element' });
    } else if (problems.length === 0) {
      return observations;
    }
  }
  throw new RequestError(
    RequestErrorCode.ValidationFailed,
    `the request has ${problems.length} invalid field${problems.length === 1 ? '' : 's'}: ${summarise(problems)}`,
    problems,
  );
}

function summarise(problems: ProblemItem[]): string {
  return `${problems
    .slice(0, 3)
    .map((problem) => `${problem.pointer}: ${problem.detail}`)
    .join('; ')}${problems.length > 3 ? '; …' : ''}`;
}
