/**
 * The vital signs Mosaic understands: LOINC codes, canonical UCUM units, the spellings accepted on
 * ingest and how each converts to the canonical unit, and the physiologically possible range
 * (in the canonical unit) outside which a value is refused as an entry error.
 *
 * docs/ingest.md lists the accepted spellings; keep the two in step.
 */
export enum VitalCode {
  HeartRate = '8867-4',
  RespiratoryRate = '9279-1',
  OxygenSaturation = '59408-5',
  BodyTemperature = '8310-5',
  SystolicBloodPressure = '8480-6',
  DiastolicBloodPressure = '8462-4',
}

export interface AcceptedUnit {
  /** UCUM or common spelling as it may arrive (matched exactly, case-sensitive as UCUM is). */
  spelling: string;
  /** Converts a value in this unit to the canonical unit. */
  toCanonical: (value: number) => number;
}

export interface VitalSignDefinition {
  code: VitalCode;
  display: string;
  /** Short key used in model channels and explanations. */
  key: 'hr' | 'rr' | 'spo2' | 'temp' | 'sbp' | 'dbp';
  canonicalUnit: string;
  acceptedUnits: readonly AcceptedUnit[];
  /** Inclusive bounds in the canonical unit; values outside cannot come from a living patient. */
  physiologicalRange: { min: number; max: number };
}

const identity = (value: number): number => value;
const fahrenheitToCelsius = (value: number): number => ((value - 32) * 5) / 9;
/** 1 kPa = 7.500 615 mmHg (BIPM SI Brochure, conventional mmHg = 133.322 387 Pa). */
const kilopascalToMmHg = (value: number): number => value * 7.500615758456564;

const pressureUnits: readonly AcceptedUnit[] = [
  { spelling: 'mm[Hg]', toCanonical: identity },
  { spelling: 'mmHg', toCanonical: identity },
  { spelling: 'kPa', toCanonical: kilopascalToMmHg },
];

export const VITAL_SIGNS: readonly VitalSignDefinition[] = [
  {
    code: VitalCode.HeartRate,
    display: 'Heart rate',
    key: 'hr',
    canonicalUnit: '/min',
    acceptedUnits: [
      { spelling: '/min', toCanonical: identity },
      { spelling: '{beats}/min', toCanonical: identity },
      { spelling: 'bpm', toCanonical: identity },
    ],
    physiologicalRange: { min: 0, max: 350 },
  },
  {
    code: VitalCode.RespiratoryRate,
    display: 'Respiratory rate',
    key: 'rr',
    canonicalUnit: '/min',
    acceptedUnits: [
      { spelling: '/min', toCanonical: identity },
      { spelling: '{breaths}/min', toCanonical: identity },
    ],
    physiologicalRange: { min: 0, max: 120 },
  },
  {
    code: VitalCode.OxygenSaturation,
    display: 'Oxygen saturation in arterial blood by pulse oximetry',
    key: 'spo2',
    canonicalUnit: '%',
    acceptedUnits: [{ spelling: '%', toCanonical: identity }],
    physiologicalRange: { min: 0, max: 100 },
  },
  {
    code: VitalCode.BodyTemperature,
    display: 'Body temperature',
    key: 'temp',
    canonicalUnit: 'Cel',
    acceptedUnits: [
      { spelling: 'Cel', toCanonical: identity },
      { spelling: '°C', toCanonical: identity },
      { spelling: '[degF]', toCanonical: fahrenheitToCelsius },
      { spelling: '°F', toCanonical: fahrenheitToCelsius },
    ],
    physiologicalRange: { min: 20, max: 46 },
  },
  {
    code: VitalCode.SystolicBloodPressure,
    display: 'Systolic blood pressure',
    key: 'sbp',
    canonicalUnit: 'mm[Hg]',
    acceptedUnits: pressureUnits,
    physiologicalRange: { min: 20, max: 300 },
  },
  {
    code: VitalCode.DiastolicBloodPressure,
    display: 'Diastolic blood pressure',
    key: 'dbp',
    canonicalUnit: 'mm[Hg]',
    acceptedUnits: pressureUnits,
    physiologicalRange: { min: 10, max: 200 },
  },
];

const byCode = new Map(VITAL_SIGNS.map((definition) => [definition.code as string, definition]));

export function findVitalSign(code: string): VitalSignDefinition | undefined {
  return byCode.get(code);
}

export type VitalNormalisation =
  | { ok: true; value: number; unit: string }
  | { ok: false; reason: 'unknown-code' | 'unit-not-accepted' | 'out-of-range'; message: string };

/**
 * Validates one observation and converts it to the canonical unit. The caller keeps the value and
 * unit as received beside the result (ARCHITECTURE.md §Identity and provenance).
 */
export function normaliseVital(code: string, value: number, unit: string): VitalNormalisation {
  const definition = findVitalSign(code);
  if (!definition) {
    const known = VITAL_SIGNS.map((d) => `${d.code} (${d.display})`).join(', ');
    return {
      ok: false,
      reason: 'unknown-code',
      message: `LOINC code ${code} is not a supported vital sign; use one of ${known}`,
    };
  }
  const accepted = definition.acceptedUnits.find((candidate) => candidate.spelling === unit);
  if (!accepted) {
    const spellings = definition.acceptedUnits.map((candidate) => `'${candidate.spelling}'`).join(', ');
    return {
      ok: false,
      reason: 'unit-not-accepted',
      message: `unit '${unit}' is not accepted for ${definition.code} (${definition.display}); use one of ${spellings}`,
    };
  }
  const canonical = accepted.toCanonical(value);
  const { min, max } = definition.physiologicalRange;
  if (!Number.isFinite(canonical) || canonical < min || canonical > max) {
    return {
      ok: false,
      reason: 'out-of-range',
      message: `${value} ${unit} for ${definition.code} (${definition.display}) is outside the physiological range ${min}–${max} ${definition.canonicalUnit}`,
    };
  }
  return { ok: true, value: canonical, unit: definition.canonicalUnit };
}
