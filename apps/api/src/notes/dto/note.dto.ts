import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEnum, IsNotEmpty, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { RecordStatus } from '@mosaic/domain';
import type { ClinicalNote } from '@mosaic/persistence';
import { IsInstant } from '../../patients/dto/instant.validator';
import { PatientIdParam } from '../../patients/dto/patient-id.param';

/** LOINC 11506-3 "Progress note", the document type when the client names none. */
export const DEFAULT_NOTE_LOINC_TYPE = '11506-3';

export class CreateNoteDto {
  @ApiProperty({ description: 'the note as plain text; its sha256 (UTF-8) is the note identity' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(1_000_000)
  text: string;

  @ApiProperty({ example: '2024-03-15T10:15:00Z', description: 'when the note was authored (effectiveAt)' })
  @IsInstant()
  authoredAt: string;

  @ApiPropertyOptional({ default: DEFAULT_NOTE_LOINC_TYPE, description: 'LOINC document type' })
  @IsOptional()
  @Matches(/^\d{1,7}-\d$/, { message: 'loincType must be a LOINC code such as 11506-3' })
  loincType?: string;

  @ApiPropertyOptional({ example: 'Dr. Lee' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  author?: string;

  @ApiPropertyOptional({ enum: RecordStatus, default: RecordStatus.Final })
  @IsOptional()
  @IsEnum(RecordStatus)
  status?: RecordStatus;
}

export class PatientNoteParams extends PatientIdParam {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all', { message: 'noteId must be a note id (UUID)' })
  noteId: string;
}

export class NoteResponseDto {
  @ApiProperty() id: string;
  @ApiProperty() patientId: string;
  @ApiProperty() loincType: string;
  @ApiPropertyOptional({ nullable: true, type: String }) author: string | null;
  @ApiProperty() text: string;
  @ApiProperty() sha256: string;
  @ApiProperty() effectiveAt: string;
  @ApiProperty() recordedAt: string;
  @ApiProperty({ enum: RecordStatus }) status: RecordStatus;
  @ApiProperty() sourceKind: string;
  @ApiProperty() sourceId: string;

  static from(note: ClinicalNote): NoteResponseDto {
    return {
      id: note.id,
      patientId: note.patientId,
      loincType: note.loincType,
      author: note.author,
      text: note.text,
      sha256: note.sha256.trim(),
      effectiveAt: note.effectiveAt.toISOString(),
      recordedAt: note.recordedAt.toISOString(),
      status: note.status,
      sourceKind: note.sourceKind,
      sourceId: note.sourceId,
    };
  }
}
