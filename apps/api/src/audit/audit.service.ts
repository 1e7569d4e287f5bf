import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditChain } from '@mosaic/audit';
import type { RequestActor } from '../common/context/request-actor';

/** What an audited request did; never names, identifiers or note text — only resource ids. */
export interface AuditRecord {
  action: string;
  resourceType: string;
  resourceIds: string[];
  patientId?: string | null;
  outcome?: string;
}

/**
 * Every read or write of patient data runs through `audited`: the work and its audit entry share
 * one transaction, so a committed change always has its audit row and a failed one has neither.
 * Each audited request is one entry of the hash chain (docs/audit.md), however many rows it touched.
 */
@Injectable()
export class AuditService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly chain: AuditChain,
  ) {}

  async audited<T>(
    actor: RequestActor,
    work: (manager: EntityManager) => Promise<T>,
    describe: (result: T) => AuditRecord,
  ): Promise<T> {
    return this.dataSource.transaction(async (manager) => {
      const result = await work(manager);
      await this.append(manager, actor, describe(result));
      return result;
    });
  }

  async append(manager: EntityManager, actor: RequestActor, record: AuditRecord): Promise<void> {
    await this.chain.append(manager, {
      actor: actor.username,
      role: actor.roles.join(','),
      action: record.action,
      resourceType: record.resourceType,
      resourceIds: record.resourceIds,
      patientId: record.patientId ?? null,
      requestId: actor.requestId,
      outcome: record.outcome ?? 'success',
    });
  }
}
