import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditEvent } from '@mosaic/persistence';
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
 */
@Injectable()
export class AuditService {
  constructor(private readonly dataSource: DataSource) {}

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
    await manager.insert(AuditEvent, {
      actor: actor.username,
      role: actor.roles.join(','),
      action: record.action,
      resourceType: record.resourceType,
      // Bounded: a search touching thousands of rows is one entry listing the first ids.
      resourceIds: record.resourceIds.slice(0, 1000),
      patientId: record.patientId ?? null,
      requestId: actor.requestId,
      outcome: record.outcome ?? 'success',
    });
  }
}
