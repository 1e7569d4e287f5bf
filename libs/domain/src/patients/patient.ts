/** FHIR R4 AdministrativeGender (http://hl7.org/fhir/R4/valueset-administrative-gender.html). */
export enum AdministrativeSex {
  Male = 'male',
  Female = 'female',
  Other = 'other',
  Unknown = 'unknown',
}

/**
 * The identifier system Mosaic assigns MRNs to when a client names none. A hospital's MRN should be
 * sent with its issuer's system URI, so the same number from two hospitals never collides.
 */
export const DEFAULT_MRN_SYSTEM = 'urn:mosaic:mrn';

/** HL7 v2 table 0203 identifier type for a medical record number. */
export const MRN_TYPE_CODE = 'MR';
