import type { ChainedAuditEntry } from '../chain/audit-entry';

/**
 * FHIR R4 AuditEvent export following the IHE Basic Audit Log Patterns (BALP) where they fit:
 * type `rest` with a restful-interaction subtype, a user agent (`who`, `requestor: true`), the
 * server as an agent, a transaction entity holding the request id, and the patient as an entity
 * with `what = Patient/<id>`. Only the structure FHIR needs; no PHI beyond resource ids.
 */

export const AUDIT_CHAIN_EXTENSION_URL = 'https://mosaic.invalid/fhir/StructureDefinition/audit-chain';

const AUDIT_EVENT_TYPE = 'http://terminology.hl7.org/CodeSystem/audit-event-type';
const RESTFUL_INTERACTION = 'http://hl7.org/fhir/restful-interaction';
const PARTICIPATION_TYPE = 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType';
const DCM = 'http://dicom.nema.org/resources/ontology/DCM';
const ENTITY_TYPE = 'http://terminology.hl7.org/CodeSystem/audit-entity-type';
const OBJECT_ROLE = 'http://terminology.hl7.org/CodeSystem/object-role';
const SECURITY_SOURCE_TYPE = 'http://terminology.hl7.org/CodeSystem/security-source-type';
const BALP_ENTITY_TYPE = 'https://profiles.ihe.net/ITI/BALP/CodeSystem/BasicAuditEntityType';
/** Identifier systems for Mosaic's own ids (users, request ids, resources without a FHIR type). */
const MOSAIC_ID_SYSTEM = 'urn:mosaic';

export interface Coding {
  system: string;
  code: string;
  display?: string;
}

export interface FhirReference {
  reference?: string;
  identifier?: { system: string; value: string };
  display?: string;
}

export interface FhirExtension {
  url: string;
  valueString?: string;
  extension?: FhirExtension[];
}

export interface FhirAuditEvent {
  resourceType: 'AuditEvent';
  id: string;
  meta: { profile: string[] };
  extension: FhirExtension[];
  type: Coding;
  subtype: Coding[];
  action: 'C' | 'R' | 'U' | 'D' | 'E';
  recorded: string;
  outcome: '0' | '4' | '8' | '12';
  outcomeDesc?: string;
  agent: {
    type: { coding: Coding[] };
    who: FhirReference;
    requestor: boolean;
    role?: { coding: Coding[] }[];
  }[];
  source: { observer: FhirReference; type: Coding[] };
  entity: {
    what: FhirReference;
    type: Coding;
    role?: Coding;
    detail?: { type: string; valueString: string }[];
  }[];
}

export interface FhirBundle {
  resourceType: 'Bundle';
  type: 'searchset';
  timestamp: string;
  total: number;
  link: { relation: string; url: string }[];
  entry: { fullUrl?: string; resource: FhirAuditEvent; search: { mode: 'match' } }[];
}

/** Mosaic resource types and the FHIR R4 resource each is exposed as. */
const FHIR_RESOURCE_TYPE: Readonly<Record<string, string>> = {
  Patient: 'Patient',
  ClinicalNote: 'DocumentReference',
  VitalObservation: 'Observation',
  ImagingInstance: 'ImagingStudy',
  Assessment: 'RiskAssessment',
};

type Interaction = { subtype: string; action: FhirAuditEvent['action']; userType: Coding };

const QUERY_RECIPIENT: Coding = {
  system: PARTICIPATION_TYPE,
  code: 'IRCP',
  display: 'information recipient',
};
const AUTHOR: Coding = { system: PARTICIPATION_TYPE, code: 'AUT', display: 'author (originator)' };

/**
 * The verb of a Mosaic action (`patient.read`, `note.create`, …) as a FHIR restful interaction and
 * an AuditEvent action. A `match` is an idempotent create that found the existing record (BALP Create).
 */
function interactionFor(action: string): Interaction {
  const verb = action.slice(action.lastIndexOf('.') + 1);
  switch (verb) {
    case 'create':
    case 'match':
      return { subtype: 'create', action: 'C', userType: AUTHOR };
    case 'update':
      return { subtype: 'update', action: 'U', userType: AUTHOR };
    case 'delete':
      return { subtype: 'delete', action: 'D', userType: AUTHOR };
    case 'search':
    case 'list':
      return { subtype: 'search-type', action: 'E', userType: QUERY_RECIPIENT };
    default:
      return { subtype: 'read', action: 'R', userType: QUERY_RECIPIENT };
  }
}

/** FHIR R4 AuditEvent.outcome: 0 success, 4 minor failure (refused), 8 serious failure (server). */
function outcomeFor(outcome: string): FhirAuditEvent['outcome'] {
  if (outcome === 'success') return '0';
  return /^5\d\d$/.test(outcome) ? '8' : '4';
}

function resourceReference(resourceType: string, id: string): FhirReference {
  const fhirType = FHIR_RESOURCE_TYPE[resourceType];
  return fhirType
    ? { reference: `${fhirType}/${id}` }
    : { identifier: { system: `${MOSAIC_ID_SYSTEM}:${resourceType}`, value: id } };
}

export function toFhirAuditEvent(entry: ChainedAuditEntry): FhirAuditEvent {
  const interaction = interactionFor(entry.action);
  const entities: FhirAuditEvent['entity'] = [
    {
      // BALP transaction entity: the request id, to correlate with the server's logs.
      what: { identifier: { system: `${MOSAIC_ID_SYSTEM}:request-id`, value: entry.requestId } },
      type: { system: BALP_ENTITY_TYPE, code: 'XrequestId', display: 'X-Request-Id' },
      // The chain link, so an exported event can be matched to the verified log.
      detail: [
        { type: 'mosaic-audit-seq', valueString: entry.seq },
        { type: 'mosaic-audit-hash', valueString: entry.hash },
      ],
    },
  ];
  if (entry.patientId) {
    entities.push({
      what: { reference: `Patient/${entry.patientId}` },
      type: { system: ENTITY_TYPE, code: '1', display: 'Person' },
      role: { system: OBJECT_ROLE, code: '1', display: 'Patient' },
    });
  }
  for (const id of entry.resourceIds) {
    if (entry.resourceType === 'Patient' && id === entry.patientId) continue;
    entities.push({
      what: resourceReference(entry.resourceType, id),
      type: { system: ENTITY_TYPE, code: '2', display: 'System Object' },
      role: { system: OBJECT_ROLE, code: '4', display: 'Domain Resource' },
    });
  }
  return {
    resourceType: 'AuditEvent',
    id: `mosaic-audit-${entry.seq}`,
    meta: { profile: ['https://profiles.ihe.net/ITI/BALP/StructureDefinition/IHE.BasicAudit.Base'] },
    extension: [
      {
        url: AUDIT_CHAIN_EXTENSION_URL,
        extension: [
          { url: 'seq', valueString: entry.seq },
          { url: 'prevHash', valueString: entry.prevHash },
          { url: 'hash', valueString: entry.hash },
        ],
      },
    ],
    type: { system: AUDIT_EVENT_TYPE, code: 'rest', display: 'RESTful Operation' },
    subtype: [{ system: RESTFUL_INTERACTION, code: interaction.subtype }],
    action: interaction.action,
    recorded: entry.occurredAt,
    outcome: outcomeFor(entry.outcome),
    ...(entry.outcome === 'success' ? {} : { outcomeDesc: `HTTP ${entry.outcome}` }),
    agent: [
      {
        type: { coding: [interaction.userType] },
        who: { identifier: { system: `${MOSAIC_ID_SYSTEM}:user`, value: entry.actor }, display: entry.actor },
        requestor: true,
        role: entry.role
          .split(',')
          .filter((role) => role.length > 0)
          .map((role) => ({ coding: [{ system: `${MOSAIC_ID_SYSTEM}:role`, code: role }] })),
      },
      {
        type: { coding: [{ system: DCM, code: '110152', display: 'Destination Role ID' }] },
        who: { display: 'Mosaic API' },
        requestor: false,
      },
    ],
    source: {
      observer: { display: 'Mosaic API' },
      type: [{ system: SECURITY_SOURCE_TYPE, code: '4', display: 'Application Server' }],
    },
    entity: entities,
  };
}

export function toFhirBundle(
  entries: ChainedAuditEntry[],
  page: { total: number; selfUrl: string; nextUrl?: string; now?: Date },
): FhirBundle {
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    timestamp: (page.now ?? new Date()).toISOString(),
    total: page.total,
    link: [
      { relation: 'self', url: page.selfUrl },
      ...(page.nextUrl ? [{ relation: 'next', url: page.nextUrl }] : []),
    ],
    entry: entries.map((entry) => ({
      resource: toFhirAuditEvent(entry),
      search: { mode: 'match' as const },
    })),
  };
}
