/**
 * Actions of the Basic Application Level Confidentiality Profile (DICOM PS3.15 Annex E, Table E.1-1)
 * for the attributes that occur in the projection-radiography and CT objects Mosaic handles, with the
 * Retain Longitudinal Temporal Information with Modified Dates Option (dates are shifted, not removed).
 * D = replace with a dummy value, Z = empty, X = remove, U = replace UID consistently (handled for every
 * UI element, see deidentify.ts). Private attributes are removed (PS3.15 §E.3.10 is not applied).
 */
export type ProfileAction = 'D' | 'Z' | 'X';

export const BASIC_PROFILE_ACTIONS: ReadonlyMap<number, ProfileAction> = new Map<number, ProfileAction>([
  [0x00080050, 'Z'], // Accession Number
  [0x00080080, 'X'], // Institution Name
  [0x00080081, 'X'], // Institution Address
  [0x00080090, 'Z'], // Referring Physician's Name
  [0x00080092, 'X'], // Referring Physician's Address
  [0x00080094, 'X'], // Referring Physician's Telephone Numbers
  [0x00081010, 'X'], // Station Name
  [0x00081030, 'X'], // Study Description
  [0x00081040, 'X'], // Institutional Department Name
  [0x00081048, 'X'], // Physician(s) of Record
  [0x00081050, 'X'], // Performing Physician's Name
  [0x00081060, 'X'], // Name of Physician(s) Reading Study
  [0x00081070, 'X'], // Operators' Name
  [0x00081080, 'X'], // Admitting Diagnoses Description
  [0x00081120, 'X'], // Referenced Patient Sequence
  [0x00082111, 'X'], // Derivation Description
  [0x00100010, 'D'], // Patient's Name (Z in the table; a dummy keeps viewers usable)
  [0x00100020, 'D'], // Patient ID: a keyed pseudonym, consistent per patient
  [0x00100021, 'X'], // Issuer of Patient ID
  [0x00100032, 'X'], // Patient's Birth Time
  [0x00100040, 'Z'], // Patient's Sex
  [0x00101000, 'X'], // Other Patient IDs
  [0x00101001, 'X'], // Other Patient Names
  [0x00101010, 'X'], // Patient's Age
  [0x00101020, 'X'], // Patient's Size
  [0x00101030, 'X'], // Patient's Weight
  [0x00101040, 'X'], // Patient's Address
  [0x00102154, 'X'], // Patient's Telephone Numbers
  [0x00102160, 'X'], // Ethnic Group
  [0x00104000, 'X'], // Patient Comments
  [0x00181000, 'X'], // Device Serial Number
  [0x00181030, 'X'], // Protocol Name
  [0x00200010, 'Z'], // Study ID
  [0x00204000, 'X'], // Image Comments
  [0x00321032, 'X'], // Requesting Physician
  [0x00321060, 'X'], // Requested Procedure Description
  [0x00324000, 'X'], // Study Comments
  [0x00400244, 'X'], // Performed Procedure Step Start Date
  [0x00400245, 'X'], // Performed Procedure Step Start Time
  [0x00400253, 'X'], // Performed Procedure Step ID
  [0x00400254, 'X'], // Performed Procedure Step Description
  [0x00401001, 'X'], // Requested Procedure ID
  [0x0008103e, 'X'], // Series Description
]);
