import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Reviews of assessment explanations (docs/assessments.md §Review). Append-only like the
 * assessments they refer to: a trigger refuses UPDATE, DELETE and TRUNCATE, so a changed verdict is
 * a new review that supersedes the earlier one by `seq`.
 */
export class Reviews1795999797564 implements MigrationInterface {
  name = 'Reviews1795999797564';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "reviews" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "seq" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "assessment_id" uuid NOT NULL, "reviewed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "reviewer" character varying(100) NOT NULL, "verdict" character varying(20) NOT NULL, "comment" text, "disagreements" jsonb NOT NULL, CONSTRAINT "chk_reviews_verdict" CHECK ("verdict" IN ('plausible', 'implausible', 'uncertain')), CONSTRAINT "pk_reviews" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      'CREATE INDEX "ix_reviews_assessment_seq" ON "reviews"  ("assessment_id", "seq") ',
    );
    await queryRunner.query(
      'ALTER TABLE "reviews" ADD CONSTRAINT "fk_reviews_assessment" FOREIGN KEY ("assessment_id") REFERENCES "assessments"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(`CREATE FUNCTION "reviews_refuse_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'reviews are append-only: % on % is refused', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END
$$`);
    await queryRunner.query(
      'CREATE TRIGGER "trg_reviews_append_only" BEFORE UPDATE OR DELETE ON "reviews" FOR EACH ROW EXECUTE FUNCTION "reviews_refuse_change"()',
    );
    await queryRunner.query(
      'CREATE TRIGGER "trg_reviews_no_truncate" BEFORE TRUNCATE ON "reviews" FOR EACH STATEMENT EXECUTE FUNCTION "reviews_refuse_change"()',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TRIGGER "trg_reviews_no_truncate" ON "reviews"');
    await queryRunner.query('DROP TRIGGER "trg_reviews_append_only" ON "reviews"');
    await queryRunner.query('DROP FUNCTION "reviews_refuse_change"()');
    await queryRunner.query('ALTER TABLE "reviews" DROP CONSTRAINT "fk_reviews_assessment"');
    await queryRunner.query('DROP INDEX "public"."ix_reviews_assessment_seq"');
    await queryRunner.query('DROP TABLE "reviews"');
  }
}
