import { Injectable } from '@nestjs/common';
import { EntityManager, In, QueryFailedError } from 'typeorm';
import { AdministrativeSex, DEFAULT_MRN_SYSTEM, MRN_TYPE_CODE } from '@mosaic/domain';
import type { RecordSource } from '@mosaic/domain';
import { Patient, PatientIdentifier } from '@mosaic/persistence';
import { RequestError, RequestErrorCode } from '../common/errors/request.errors';
import type { CreatePatientDto, PatientSearchQueryDto } from './dto/patient.dto';
import type { Page } from './dto/paging.dto';
import { PatientError, PatientErrorCode, patientNotFound } from './patients.errors';

export interface PatientCreation {
  patient: Patient;
  /** false when the request matched an existing patient exactly (idempotent re-post). */
  created: boolean;
}

interface NormalisedIdentifier {
  system: string;
  value: string;
  typeCode: string | null;
}

const IDENTIFIER_CONSTRAINT = 'uq_patient_identifiers_system_value';

/**
 * Patients and their identifiers. Every method takes the transaction's manager: callers run them
 * inside `AuditService.audited`, so the data and its audit entry commit together.
 */
@Injectable()
export class PatientsService {
  /**
   * Creates a patient, or returns the existing one when every identifier already names that same
   * patient with the same demographics (docs/ingest.md: a re-post is 200, not a duplicate). Any other
   * overlap with a stored identifier is a conflict naming the identifier and its patient.
   */
  async create(
    manager: EntityManager,
    body: CreatePatientDto,
    source: RecordSource,
  ): Promise<PatientCreation> {
    const identifiers = normaliseIdentifiers(body);
    const given = body.name.given ?? [];
    const sex = body.sex ?? AdministrativeSex.Unknown;
    const birthDate = body.birthDate ?? null;

    const existing = await manager.getRepository(PatientIdentifier).find({
      where: identifiers.map(({ system, value }) => ({ system, value })),
    });
    if (existing.length > 0) {
      const owners = [...new Set(existing.map((identifier) => identifier.patientId))];
      if (owners.length === 1) {
        const owner = await this.require(manager, owners[0]);
        const sameIdentifiers =
          owner.identifiers.length === identifiers.length &&
          identifiers.every((wanted) =>
            owner.identifiers.some((have) => have.system === wanted.system && have.value === wanted.value),
          );
        const sameDemographics =
          owner.familyName === body.name.family &&
          owner.givenNames.join('\u0000') === given.join('\u0000') &&
          owner.birthDate === birthDate &&
          owner.sex === sex;
        if (sameIdentifiers && sameDemographics) return { patient: owner, created: false };
      }
      throw new PatientError(
        PatientErrorCode.IdentifierConflict,
        `identifier ${existing.map((identifier) => `${identifier.system}|${identifier.value}`).join(', ')} already ` +
          `belongs to patient ${owners.join(', ')}; a re-post is accepted only with exactly that patient's ` +
          'identifiers, name, birth date and sex',
        existing.map((identifier) => ({
          pointer: `/identifiers/${identifiers.findIndex(
            (wanted) => wanted.system === identifier.system && wanted.value === identifier.value,
          )}`,
          detail: `${identifier.system}|${identifier.value} belongs to patient ${identifier.patientId}`,
        })),
        { existingPatientIds: owners },
      );
    }

    const patient = await manager.getRepository(Patient).save(
      manager.getRepository(Patient).create({
        familyName: body.name.family,
        givenNames: given,
        birthDate,
        sex,
        sourceKind: source.kind,
        sourceId: source.id,
      }),
    );
    await manager.insert(
      PatientIdentifier,
      identifiers.map((identifier) => ({ ...identifier, patientId: patient.id })),
    );
    return { patient: await this.require(manager, patient.id), created: true };
  }

  /** The patient with its identifiers, or PATIENT_NOT_FOUND (404). */
  async require(manager: EntityManager, id: string): Promise<Patient> {
    const patient = await manager
      .getRepository(Patient)
      .findOne({ where: { id }, relations: { identifiers: true } });
    if (!patient) throw patientNotFound(id);
    return patient;
  }

  /** Existence check for the clinical-data routes: cheaper than loading the identifiers. */
  async requireExists(manager: EntityManager, id: string): Promise<void> {
    if (!(await manager.getRepository(Patient).existsBy({ id }))) throw patientNotFound(id);
  }

  async search(manager: EntityManager, query: PatientSearchQueryDto): Promise<Page<Patient>> {
    const builder = manager.getRepository(Patient).createQueryBuilder('p');
    if (query.mrn !== undefined) {
      builder.andWhere(
        `EXISTS (SELECT 1 FROM patient_identifiers i WHERE i.patient_id = p.id AND i.value = :mrn${
          query.system !== undefined ? ' AND i.system = :system' : ''
        })`,
        { mrn: query.mrn, system: query.system },
      );
    }
    const terms = (query.name ?? '').split(/\s+/).filter((term) => term.length > 0);
    terms.forEach((term, index) => {
      const parameter = `name${index}`;
      builder.andWhere(
        `(p.family_name ILIKE :${parameter} OR EXISTS (SELECT 1 FROM unnest(p.given_names) AS g(given) WHERE g.given ILIKE :${parameter}))`,
        { [parameter]: `${escapeLike(term)}%` },
      );
    });
    const [patients, total] = await builder
      .orderBy('p.family_name', 'ASC')
      .addOrderBy('p.id', 'ASC')
      .take(query.limit)
      .skip(query.offset)
      .getManyAndCount();
    const identifiers =
      patients.length === 0
        ? []
        : await manager.getRepository(PatientIdentifier).findBy({ patientId: In(patients.map((p) => p.id)) });
    for (const patient of patients) {
      patient.identifiers = identifiers.filter((identifier) => identifier.patientId === patient.id);
    }
    return { items: patients, total, limit: query.limit, offset: query.offset };
  }
}

/** A concurrent create that lost the race on an identifier: the same 409 as a sequential one. */
export function identifierRaceConflict(error: unknown): PatientError | undefined {
  const driverError =
    error instanceof QueryFailedError ? (error.driverError as { constraint?: string }) : undefined;
  if (driverError?.constraint !== IDENTIFIER_CONSTRAINT && !String(error).includes(IDENTIFIER_CONSTRAINT)) {
    return undefined;
  }
  return new PatientError(
    PatientErrorCode.IdentifierConflict,
    'an identifier of this patient was stored by a concurrent request; re-post to get the stored patient',
  );
}

function normaliseIdentifiers(body: CreatePatientDto): NormalisedIdentifier[] {
  const seen = new Set<string>();
  return body.identifiers.map((identifier, index) => {
    const system = identifier.system ?? DEFAULT_MRN_SYSTEM;
    const key = `${system}|${identifier.value}`;
    if (seen.has(key)) {
      throw new RequestError(RequestErrorCode.ValidationFailed, `identifier ${key} is listed twice`, [
        { pointer: `/identifiers/${index}`, detail: `duplicate of an earlier identifier ${key}` },
      ]);
    }
    seen.add(key);
    return {
      system,
      value: identifier.value,
      typeCode: identifier.type ?? (identifier.system === undefined ? MRN_TYPE_CODE : null),
    };
  });
}

/** LIKE treats % and _ as wildcards; a name containing them must match them literally. */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}
