import { Controller, Get, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Permission } from '@mosaic/domain';
import { AuditService } from '../audit/audit.service';
import { Authorize } from '../auth/authorize.decorator';
import { CurrentActor } from '../common/context/request-actor';
import type { RequestActor } from '../common/context/request-actor';
import { ActivationDto, ModelListDto, ModelVersionParams, toModelList } from './dto/model.dto';
import { ModelRegistryService } from './model-registry.service';

@ApiTags('models')
@ApiBearerAuth()
@Controller('models')
export class ModelsController {
  constructor(
    private readonly models: ModelRegistryService,
    private readonly audit: AuditService,
  ) {}

  /** Every model folder found, valid or not, with its card summary and NOT FOR CLINICAL USE flag. */
  @Get()
  @Authorize(Permission.ModelRead)
  @ApiOkResponse({ type: ModelListDto })
  async list(): Promise<ModelListDto> {
    const modelId = this.models.servedModelId();
    const active = modelId ? await this.models.readActiveVersion(this.models.dataSourceManager()) : null;
    return toModelList(this.models.catalogue(), modelId, active, (id, version) =>
      this.models.registry.isWarm(id, version),
    );
  }

  /**
   * Makes a version the active one on every replica. It is loaded and warmed first; requests
   * already running finish on the old version, whose sessions are released when they are done.
   */
  @Post(':id/versions/:version/activate')
  @HttpCode(HttpStatus.OK)
  @Authorize(Permission.ModelManage)
  @ApiOkResponse({ type: ActivationDto })
  async activate(
    @Param() params: ModelVersionParams,
    @CurrentActor() actor: RequestActor,
  ): Promise<ActivationDto> {
    await this.models.prepareActivation(params.id, params.version);
    const { row, previous } = await this.audit.audited(
      actor,
      async (manager) => {
        const before = await this.models.readActiveVersion(manager);
        const saved = await this.models.recordActivation(manager, params.id, params.version, actor.username);
        return { row: saved, previous: before };
      },
      () => ({
        action: 'model.activate',
        resourceType: 'Model',
        resourceIds: [`${params.id}@${params.version}`],
      }),
    );
    await this.models.activated(params.version);
    return {
      modelId: row.modelId,
      version: row.version,
      previousVersion: previous,
      activatedAt: row.activatedAt.toISOString(),
      activatedBy: row.activatedBy,
    };
  }
}
