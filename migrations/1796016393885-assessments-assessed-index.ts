import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The auditor's assessment list (GET /api/v1/assessments) reads across patients, newest first and
 * optionally within a time range; the existing index leads with the patient, so that query scanned
 * and sorted the whole table.
 */
export class AssessmentsAssessedIndex1796016393885 implements MigrationInterface {
  name = 'AssessmentsAssessedIndex1796016393885';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE INDEX "ix_assessments_assessed" ON "assessments" ("assessed_at") ');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "public"."ix_assessments_assessed"');
  }
}
