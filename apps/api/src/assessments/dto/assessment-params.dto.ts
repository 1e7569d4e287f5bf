import { ApiProperty } from '@nestjs/swagger';
import { IsUUID, Matches } from 'class-validator';

export class AssessmentIdParam {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all', { message: 'id must be an assessment id (UUID)' })
  id: string;
}

export class ExplanationImageParams extends AssessmentIdParam {
  @ApiProperty({ example: 'pneumonia', description: 'label slug' })
  @Matches(/^[a-z0-9_]{1,60}$/, { message: 'label must be a label slug such as pneumonia' })
  label: string;
}
