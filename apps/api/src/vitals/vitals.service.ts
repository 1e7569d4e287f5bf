import { Injectable } from '@nestjs/common';
import { EntityManager, In } from 'typeorm';
import { SourceKind } from '@mosaic/domain';
import { VitalObservation } from '@mosaic/persistence';
import type { RequestActor } from '../common/context/request-actor';
import type { Page } from '../patients/dto/paging.dto';
import { PatientsService } from '../patients/patients.service';
import type { VitalsQueryDto } from './dto/vitals.dto';
import type { NormalisedVital } from './vitals-batch.parser';

export interface VitalsIngestion {
  received: number;
  /** Ids of the observations this request stored (existing ones are not repeated). */
  createdIds: string[];
}

/**
 * PostgreSQL accepts at most 65,535 bind parameters per statement (a 16-bit count in the extended
 * query protocol's Bind message, PostgreSQL protocol §55.7). Each row binds 7 values; 5,000 rows
 * (35,003 parameters) keeps well under it while making 10,000 observations two statements.
 */
export const VITALS_ROWS_PER_STATEMENT = 5000;
const SHARED_PARAMETERS = 3;
const ROW_PARAMETERS = 7;

@Injectable()
export class VitalsService {
  constructor(private readonly patients: PatientsService) {}

  /**
   * Inserts the batch with multi-row INSERT … ON CONFLICT DO NOTHING on the observation identity
   * (patient, code, effectiveAt, value): stored observations are skipped, so a re-post creates
   * nothing. Runs inside the caller's transaction: a failure in any chunk rolls back all of them.
   */
  async ingest(
    manager: EntityManager,
    patientId: string,
    observations: readonly NormalisedVital[],
    actor: RequestActor,
  ): Promise<VitalsIngestion> {
    await this.patients.requireExists(manager, patientId);
    const createdIds: string[] = [];
    for (let start = 0; start < observations.length; start += VITALS_ROWS_PER_STATEMENT) {
      const chunk = observations.slice(start, start + VITALS_ROWS_PER_STATEMENT);
      const parameters: unknown[] = [patientId, SourceKind.Api, actor.username];
      const rows = chunk.map((observation, row) => {
        const base = SHARED_PARAMETERS + row * ROW_PARAMETERS;
        parameters.push(
          observation.code,
          observation.value,
          observation.unit,
          observation.receivedValue,
          observation.receivedUnit,
          observation.effectiveAt,
          observation.status,
        );
        return `($1, $2, $3, $${base + 1}, $${base + 2}, $${base + 3}, $${base + 4}, $${base + 5}, $${base + 6}, $${base + 7})`;
      });
      const inserted: { id: string }[] = await manager.query(
        `WITH inserted AS (
           INSERT INTO vital_observations
             (patient_id, source_kind, source_id, code, value, unit, received_value, received_unit, effective_at, status)
           VALUES ${rows.join(', ')}
           ON CONFLICT ON CONSTRAINT uq_vital_observations_identity DO NOTHING
           RETURNING id)
         SELECT id FROM inserted`,
        parameters,
      );
      for (const { id } of inserted) createdIds.push(id);
    }
    return { received: observations.length, createdIds };
  }

  /** Ascending by effectiveAt: a time series, read with the (patient, code, effectiveAt) index. */
  async list(
    manager: EntityManager,
    patientId: string,
    query: VitalsQueryDto,
  ): Promise<Page<VitalObservation>> {
    await this.patients.requireExists(manager, patientId);
    const builder = manager
      .getRepository(VitalObservation)
      .createQueryBuilder('vital')
      .where('vital.patient_id = :patientId', { patientId });
    if (query.code) builder.andWhere({ code: In(query.code.split(',')) });
    if (query.from) builder.andWhere('vital.effective_at >= :from', { from: new Date(query.from) });
    if (query.to) builder.andWhere('vital.effective_at < :to', { to: new Date(query.to) });
    const [items, total] = await builder
      .orderBy('vital.effective_at', 'ASC')
      .addOrderBy('vital.code', 'ASC')
      .addOrderBy('vital.id', 'ASC')
      .take(query.limit)
      .skip(query.offset)
      .getManyAndCount();
    return { items, total, limit: query.limit, offset: query.offset };
  }
}
