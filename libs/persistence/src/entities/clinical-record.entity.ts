import { Column, CreateDateColumn } from 'typeorm';
import { RecordStatus, SourceKind } from '@mosaic/domain';

/**
 * The columns every clinical record carries (ARCHITECTURE.md §Time and §Identity and provenance).
 * Notes, imaging instances and vital observations extend it so the four stay identical everywhere.
 */
export abstract class ClinicalRecordEntity {
  /** The clinical time: when the note was authored, the image acquired, the vital measured. */
  @Column({ name: 'effective_at', type: 'timestamptz' })
  effectiveAt: Date;

  /** When Mosaic received it. Set by the database so clients cannot back-date it. */
  @CreateDateColumn({ name: 'recorded_at', type: 'timestamptz' })
  recordedAt: Date;

  @Column({ name: 'status', type: 'varchar', length: 20, default: RecordStatus.Final })
  status: RecordStatus;

  @Column({ name: 'source_kind', type: 'varchar', length: 10 })
  sourceKind: SourceKind;

  @Column({ name: 'source_id', type: 'varchar', length: 200 })
  sourceId: string;
}
