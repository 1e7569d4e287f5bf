import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The version of each model that serves assessments. It lives in the database, not in process
 * memory, so every replica serves the same version (ARCHITECTURE.md §Stateless replicas). No row
 * for a model means its newest valid version in the models directory.
 */
@Entity({ name: 'active_models' })
export class ActiveModel {
  @PrimaryColumn({
    name: 'model_id',
    type: 'varchar',
    length: 100,
    primaryKeyConstraintName: 'pk_active_models',
  })
  modelId: string;

  @Column({ name: 'version', type: 'varchar', length: 60 })
  version: string;

  @Column({ name: 'activated_at', type: 'timestamptz' })
  activatedAt: Date;

  @Column({ name: 'activated_by', type: 'varchar', length: 100 })
  activatedBy: string;
}
