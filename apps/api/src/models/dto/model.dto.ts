import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Matches } from 'class-validator';
import type { CatalogueEntry, ModelCardSummary } from '@mosaic/inference';

/** `:id` and `:version` of /models/:id/versions/:version/…, in the manifest's own spelling. */
export class ModelVersionParams {
  @ApiProperty({ example: 'mosaic-fusion-demo' })
  @Matches(/^[a-z0-9][a-z0-9-]{0,99}$/, { message: 'id must be a model id such as mosaic-fusion-demo' })
  id: string;

  @ApiProperty({ example: '1.0.0' })
  @Matches(/^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?$/, { message: 'version must be a semantic version' })
  version: string;
}

export class ModelVersionDto {
  @ApiProperty() version: string;
  @ApiProperty({ description: 'serves assessments on every replica' }) active: boolean;
  @ApiProperty({ description: 'sessions loaded and warmed on this replica' }) warm: boolean;
  @ApiProperty({ description: 'manifest valid and every file matches its sha256' }) valid: boolean;
  @ApiPropertyOptional({ nullable: true, type: String }) problem: string | null;
  @ApiProperty({ enum: [true] }) notForClinicalUse: true;
  @ApiPropertyOptional({ nullable: true, type: Object }) card: ModelCardSummary | null;
}

export class ModelDto {
  @ApiProperty() modelId: string;
  @ApiProperty({ description: 'this server runs assessments on this model' }) served: boolean;
  @ApiPropertyOptional({ nullable: true, type: String }) activeVersion: string | null;
  @ApiProperty({ type: [ModelVersionDto] }) versions: ModelVersionDto[];
}

export class ModelListDto {
  @ApiProperty({ type: [ModelDto] }) models: ModelDto[];
}

export class ActivationDto {
  @ApiProperty() modelId: string;
  @ApiProperty() version: string;
  @ApiPropertyOptional({ nullable: true, type: String }) previousVersion: string | null;
  @ApiProperty() activatedAt: string;
  @ApiProperty() activatedBy: string;
}

export function toModelList(
  entries: readonly CatalogueEntry[],
  served: string | null,
  active: string | null,
  isWarm: (modelId: string, version: string) => boolean,
): ModelListDto {
  const ids = [...new Set(entries.map((e) => e.modelId))];
  return {
    models: ids.map((modelId) => ({
      modelId,
      served: modelId === served,
      activeVersion: modelId === served ? active : null,
      versions: entries
        .filter((e) => e.modelId === modelId)
        .map((e) => ({
          version: e.version,
          active: modelId === served && e.version === active,
          warm: isWarm(modelId, e.version),
          valid: e.manifest !== null,
          problem: e.problem,
          notForClinicalUse: true as const,
          card: e.card,
        })),
    })),
  };
}
