import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsOptional, IsUUID, Matches, ValidateNested } from 'class-validator';
import { IsInstant } from '../../patients/dto/instant.validator';

export class VitalsWindowDto {
  @ApiPropertyOptional({ description: 'inclusive start (ISO 8601 with offset)' })
  @IsInstant()
  from: string;

  @ApiPropertyOptional({ description: 'exclusive end, the end of the model grid (ISO 8601 with offset)' })
  @IsInstant()
  to: string;
}

export class CreateAssessmentDto {
  @ApiPropertyOptional({ description: 'clinical time the assessment is about; default now' })
  @IsOptional()
  @IsInstant()
  asOf?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'use this note instead of the latest' })
  @IsOptional()
  @IsUUID('all', { message: 'noteId must be a note id (UUID)' })
  noteId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'use this image instead of the latest applicable one' })
  @IsOptional()
  @IsUUID('all', { message: 'imageId must be an image id (UUID)' })
  imageId?: string;

  @ApiPropertyOptional({
    type: VitalsWindowDto,
    description: 'default: the model grid (48 h) ending at asOf',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => VitalsWindowDto)
  vitalsWindow?: VitalsWindowDto;

  @ApiPropertyOptional({ example: '1.0.0', description: 'default: the active version' })
  @IsOptional()
  @Matches(/^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?$/, {
    message: 'modelVersion must be a semantic version',
  })
  modelVersion?: string;
}
