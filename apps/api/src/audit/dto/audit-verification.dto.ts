import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { BrokenLink, ChainVerification, CheckpointFailure } from '@mosaic/audit';

/** The result of `GET /audit/verify`: ok, or the first broken link and every checkpoint failure. */
export class AuditVerificationDto {
  @ApiProperty() ok: boolean;
  @ApiProperty({ description: 'entries checked' }) entries: number;
  @ApiPropertyOptional({ nullable: true }) head: { seq: string; hash: string } | null;
  @ApiPropertyOptional({ nullable: true, description: 'seq, kind (prev_hash | hash), expected, found' })
  firstBrokenLink: BrokenLink | null;
  @ApiProperty() brokenLinks: number;
  @ApiProperty() checkpoints: ChainVerification['checkpoints'];
  @ApiProperty({ description: 'the first 100; checkpointFailureCount counts all' })
  checkpointFailures: CheckpointFailure[];
  @ApiProperty() checkpointFailureCount: number;
  @ApiProperty({ description: 'identifies the checkpoint key without revealing it' }) keyId: string;

  static from(result: ChainVerification): AuditVerificationDto {
    return { ...result };
  }
}
