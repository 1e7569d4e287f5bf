import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional, IsUUID } from 'class-validator';
import { RecordStatus } from '@mosaic/domain';
import type { ImagingInstance } from '@mosaic/persistence';
import { PatientIdParam } from '../../patients/dto/patient-id.param';

export class UploadImagesQueryDto {
  @ApiPropertyOptional({
    default: false,
    description: "store files whose PatientID (0010,0020) differs from the patient's MRN",
  })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: 'overridePatientId must be true or false' })
  overridePatientId?: boolean;
}

export class PatientImageParams extends PatientIdParam {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all', { message: 'imageId must be an image id (UUID)' })
  imageId: string;
}

/** One stored SOP instance with its series and study, as the API returns it. */
export class ImageInstanceResponseDto {
  @ApiProperty() id: string;
  @ApiProperty() patientId: string;
  @ApiProperty() studyInstanceUid: string;
  @ApiProperty() seriesInstanceUid: string;
  @ApiProperty() sopInstanceUid: string;
  @ApiProperty() sopClassUid: string;
  @ApiProperty() modality: string;
  @ApiPropertyOptional({ nullable: true, type: String }) bodyPart: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) viewPosition: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) seriesDescription: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) studyDescription: string | null;
  @ApiProperty() rows: number;
  @ApiProperty() columns: number;
  @ApiProperty() numberOfFrames: number;
  @ApiProperty() transferSyntaxUid: string;
  @ApiProperty() sha256: string;
  @ApiProperty() byteSize: number;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'PatientID (0010,0020) as received' })
  dicomPatientId: string | null;
  @ApiProperty({ description: 'acquisition instant (UTC)' }) effectiveAt: string;
  @ApiProperty() recordedAt: string;
  @ApiProperty({ enum: RecordStatus }) status: RecordStatus;
  @ApiProperty() sourceKind: string;
  @ApiProperty() sourceId: string;

  static from(instance: ImagingInstance): ImageInstanceResponseDto {
    return {
      id: instance.id,
      patientId: instance.patientId,
      studyInstanceUid: instance.series.study.studyInstanceUid,
      seriesInstanceUid: instance.series.seriesInstanceUid,
      sopInstanceUid: instance.sopInstanceUid,
      sopClassUid: instance.sopClassUid,
      modality: instance.series.modality,
      bodyPart: instance.series.bodyPart,
      viewPosition: instance.viewPosition,
      seriesDescription: instance.series.seriesDescription,
      studyDescription: instance.series.study.description,
      rows: instance.rows,
      columns: instance.columns,
      numberOfFrames: instance.numberOfFrames,
      transferSyntaxUid: instance.transferSyntaxUid,
      sha256: instance.sha256.trim(),
      byteSize: Number(instance.byteSize),
      dicomPatientId: instance.dicomPatientId,
      effectiveAt: instance.effectiveAt.toISOString(),
      recordedAt: instance.recordedAt.toISOString(),
      status: instance.status,
      sourceKind: instance.sourceKind,
      sourceId: instance.sourceId,
    };
  }
}

export class UploadedImageDto extends ImageInstanceResponseDto {
  @ApiProperty({ description: 'the multipart file name' }) fileName: string;
  @ApiProperty({ enum: ['created', 'existing'] }) outcome: 'created' | 'existing';
}

export class UploadImagesResponseDto {
  @ApiProperty() created: number;
  @ApiProperty() existing: number;
  @ApiProperty({ type: [UploadedImageDto] }) instances: UploadedImageDto[];
}
