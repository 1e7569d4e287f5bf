import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Assessments and the active model version. An assessment is stored once and never changed
 * (docs/assessments.md §Record): a trigger refuses UPDATE, DELETE and TRUNCATE. The active-model
 * table is ordinary state, changed only by an audited activation.
 */
export class Assessments1795992902497 implements MigrationInterface {
  name = 'Assessments1795992902497';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "active_models" ("model_id" character varying(100) NOT NULL, "version" character varying(60) NOT NULL, "activated_at" TIMESTAMP WITH TIME ZONE NOT NULL, "activated_by" character varying(100) NOT NULL, CONSTRAINT "pk_active_models" PRIMARY KEY ("model_id"))',
    );
    await queryRunner.query(
      'CREATE TABLE "assessments" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "patient_id" uuid NOT NULL, "assessed_at" TIMESTAMP WITH TIME ZONE NOT NULL, "as_of" TIMESTAMP WITH TIME ZONE NOT NULL, "model_id" character varying(100) NOT NULL, "model_version" character varying(60) NOT NULL, "onnx_files" jsonb NOT NULL, "code_version" character varying(64) NOT NULL, "runtime_version" character varying(60) NOT NULL, "inputs" jsonb NOT NULL, "tensor_digests" jsonb NOT NULL, "outputs" jsonb NOT NULL, "diagnoses" jsonb NOT NULL, "latency" jsonb NOT NULL, "requested_by" character varying(100) NOT NULL, CONSTRAINT "pk_assessments" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "ix_assessments_patient_assessed" ON "assessments"  ("patient_id", "assessed_at") ',
    );
    await queryRunner.query(
      'ALTER TABLE "assessments" ADD CONSTRAINT "fk_assessments_patient" FOREIGN KEY ("patient_id") REFERENCES "patients"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    // Immutable records. A database owner can still disable the trigger; the audit chain then
    // still holds the assessment's entry, and a replay reports any input that changed.
    await queryRunner.query(`CREATE FUNCTION "assessments_refuse_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'assessments are immutable: % on % is refused', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END
$$`);
    await queryRunner.query(
      'CREATE TRIGGER "trg_assessments_immutable" BEFORE UPDATE OR DELETE ON "assessments" FOR EACH ROW EXECUTE FUNCTION "assessments_refuse_change"()',
    );
    await queryRunner.query(
      'CREATE TRIGGER "trg_assessments_no_truncate" BEFORE TRUNCATE ON "assessments" FOR EACH STATEMENT EXECUTE FUNCTION "assessments_refuse_change"()',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TRIGGER "trg_assessments_no_truncate" ON "assessments"');
    await queryRunner.query('DROP TRIGGER "trg_assessments_immutable" ON "assessments"');
    await queryRunner.query('DROP FUNCTION "assessments_refuse_change"()');
    await queryRunner.query('ALTER TABLE "assessments" DROP CONSTRAINT "fk_assessments_patient"');
    await queryRunner.query('DROP INDEX "public"."ix_assessments_patient_assessed"');
    await queryRunner.query('DROP TABLE "assessments"');
    await queryRunner.query('DROP TABLE "active_models"');
  }
}
