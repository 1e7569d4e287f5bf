import { Injectable } from '@nestjs/common';
import { EntityManager, In } from 'typeorm';
import type { RecordSource } from '@mosaic/domain';
import { VitalObservation } from '@mosaic/persistence';
import type { Page } from '../patients/dto/paging.dto';
import { PatientsService } from '../patients/patients.service';
import type { VitalsQueryDto } from './dto/vitals.dto';
import type { NormalisedVital } from './vitals-batch.parser';

export interface VitalsIngestion {
  received: number;
  /** Ids of the observations this request stored (existing ones are not repeated). */
  createdIds: string[];
}

@Injectable()
export class VitalsService {
  constructor(private readonly patients: PatientsService) {}

  /**
   * Inserts the whole batch with one set-based statement — INSERT … SELECT FROM unnest(…) ON CONFLICT
   * ON CONSTRAINT uq_vital_observations_identity DO NOTHING — so stored observations (same patient,
   * code, effectiveAt, value) are skipped and a re-post creates nothing. Each column travels as one
   * array parameter: 10 bind parameters whatever the batch size, far from PostgreSQL's 65,535 limit,
   * and measured about twice as fast as a multi-row VALUES list (docs/benchmarks.md §Ingestion).
   * Runs inside the caller's transaction.
   */
  async ingest(
    manager: EntityManager,
    patientId: string,
    observations: readonly NormalisedVital[],
    source: RecordSource,
  ): Promise<VitalsIngestion> {
    await this.patients.requireExists(manager, patientId);
    const column = <T>(pick: (observation: NormalisedVital) => T): T[] => observations.map(pick);
    const inserted: { id: string }[] = await manager.query(
      `WITH inserted AS (
         INSERT INTO vital_observations
           (patient_id, source_kind, source_id, code, value, unit, received_value, received_unit, effective_at, status)
         SELECT $1, $2, $3, batch.*
           FROM unnest($4::varchar[], $5::float8[], $6::varchar[], $7::float8[], $8::varchar[], $9::timestamptz[], $10::varchar[])
             AS batch(code, value, unit, received_value, received_unit, effective_at, status)
         ON CONFLICT ON CONSTRAINT uq_vital_observations_identity DO NOTHING
         RETURNING id)
       SELECT id FROM inserted`,
      [
        patientId,
        source.kind,
        source.id,
        column((observation) => observation.code),
        column((observation) => observation.value),
        column((observation) => observation.unit),
        column((observation) => observation.receivedValue),
        column((observation) => observation.receivedUnit),
        column((observation) => observation.effectiveAt),
        column((observation) => observation.status),
      ],
    );
    return { received: observations.length, createdIds: inserted.map(({ id }) => id) };
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
