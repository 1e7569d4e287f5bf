import {
  Check,
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  Relation,
} from 'typeorm';
import { Assessment } from './assessment.entity';

/** An auditor's verdict on an assessment's explanation. */
export type ReviewVerdict = 'plausible' | 'implausible' | 'uncertain';

/** The kinds of evidence of the explanation payload (ARCHITECTURE.md §Explanation payload). */
export type EvidenceKind = 'text' | 'image' | 'vitals' | 'modalityShare';

/**
 * A piece of the stored explanation the reviewer disagrees with: the label's `kind` evidence at
 * `index` — a text span or vitals window of that list, a modality share, or an image grid cell
 * (row-major). Assessments never change, so the reference stays valid.
 */
export interface EvidenceReference {
  label: string;
  kind: EvidenceKind;
  index: number;
}

/**
 * One review of an assessment's explanation, stored once and never changed (a trigger refuses
 * UPDATE, DELETE and TRUNCATE). A later review supersedes an earlier one: the assessment's review
 * status is its review with the highest `seq`, whoever wrote it (docs/assessments.md §Review).
 */
@Entity({ name: 'reviews' })
@Index('ix_reviews_assessment_seq', ['assessmentId', 'seq'])
@Check('chk_reviews_verdict', `"verdict" IN ('plausible', 'implausible', 'uncertain')`)
export class Review {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_reviews' })
  id: string;

  /** Recording order across all reviews: "later" means a higher seq. */
  @Column({ name: 'seq', type: 'bigint', generated: 'identity', generatedIdentity: 'ALWAYS' })
  seq: string;

  @Column({ name: 'assessment_id', type: 'uuid' })
  assessmentId: string;

  @ManyToOne(() => Assessment, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'assessment_id', foreignKeyConstraintName: 'fk_reviews_assessment' })
  assessment: Relation<Assessment>;

  @Column({ name: 'reviewed_at', type: 'timestamptz', default: () => 'now()' })
  reviewedAt: Date;

  /** The reviewer's user name. */
  @Column({ name: 'reviewer', type: 'varchar', length: 100 })
  reviewer: string;

  @Column({ name: 'verdict', type: 'varchar', length: 20 })
  verdict: ReviewVerdict;

  @Column({ name: 'comment', type: 'text', nullable: true })
  comment: string | null;

  /** The evidence the reviewer disagrees with, each checked against the stored explanation. */
  @Column({ name: 'disagreements', type: 'jsonb' })
  disagreements: EvidenceReference[];
}
