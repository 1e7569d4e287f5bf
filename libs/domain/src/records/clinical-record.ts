/**
 * Status of every clinical record (ARCHITECTURE.md §Time), aligned with the FHIR R4 status codes of
 * DocumentReference, Observation and ImagingStudy.
 */
export enum RecordStatus {
  Final = 'final',
  Amended = 'amended',
  EnteredInError = 'entered-in-error',
}

/** Where a record came from (ARCHITECTURE.md §Identity and provenance). */
export enum SourceKind {
  Api = 'api',
  Hl7 = 'hl7',
  Fhir = 'fhir',
  Cli = 'cli',
}

export interface RecordSource {
  kind: SourceKind;
  /** The API client's user name, the HL7 sending facility, the FHIR client id, or the CLI user. */
  id: string;
}

/** The three kinds of patient evidence Mosaic fuses. */
export enum Modality {
  Text = 'text',
  Image = 'image',
  Vitals = 'vitals',
}
