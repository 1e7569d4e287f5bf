import { Body, Controller, Get, HttpStatus, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Permission } from '@mosaic/domain';
import { AuditService } from '../audit/audit.service';
import { Authorize } from '../auth/authorize.decorator';
import { apiSource, CurrentActor } from '../common/context/request-actor';
import type { RequestActor } from '../common/context/request-actor';
import { PatientIdParam } from '../patients/dto/patient-id.param';
import type { Page } from '../patients/dto/paging.dto';
import {
  CreateVitalsDto,
  VitalObservationResponseDto,
  VitalsIngestResponseDto,
  VitalsQueryDto,
} from './dto/vitals.dto';
import { parseVitalsBatch } from './vitals-batch.parser';
import { VitalsService } from './vitals.service';

@ApiTags('vitals')
@ApiBearerAuth()
@Controller('patients/:id/vitals')
export class VitalsController {
  constructor(
    private readonly vitals: VitalsService,
    private readonly audit: AuditService,
  ) {}

  /** The whole batch in one transaction: 201 when anything was stored, 200 when all of it already was. */
  @Post()
  @Authorize(Permission.ClinicalDataWrite)
  @ApiBody({ type: CreateVitalsDto })
  @ApiCreatedResponse({ type: VitalsIngestResponseDto })
  @ApiOkResponse({ type: VitalsIngestResponseDto, description: 'every observation was already stored' })
  async ingest(
    @Param() params: PatientIdParam,
    // Untyped on purpose: parseVitalsBatch validates it (see there), the global pipe passes it through.
    @Body() body: unknown,
    @CurrentActor() actor: RequestActor,
    @Res({ passthrough: true }) response: Response,
  ): Promise<VitalsIngestResponseDto> {
    // Validation needs no database, so a refused batch never holds the (PGlite) session.
    const observations = parseVitalsBatch(body);
    const result = await this.audit.audited(
      actor,
      (manager) => this.vitals.ingest(manager, params.id, observations, apiSource(actor)),
      (ingestion) => ({
        action: 'vitals.create',
        resourceType: 'VitalObservation',
        resourceIds: ingestion.createdIds,
        patientId: params.id,
      }),
    );
    const created = result.createdIds.length;
    response.status(created > 0 ? HttpStatus.CREATED : HttpStatus.OK);
    return { received: result.received, created, existing: result.received - created };
  }

  @Get()
  @Authorize(Permission.ClinicalDataRead)
  async list(
    @Param() params: PatientIdParam,
    @Query() query: VitalsQueryDto,
    @CurrentActor() actor: RequestActor,
  ): Promise<Page<VitalObservationResponseDto>> {
    const page = await this.audit.audited(
      actor,
      (manager) => this.vitals.list(manager, params.id, query),
      (result) => ({
        action: 'vitals.list',
        resourceType: 'VitalObservation',
        resourceIds: result.items.map((observation) => observation.id),
        patientId: params.id,
      }),
    );
    return { ...page, items: page.items.map((observation) => VitalObservationResponseDto.from(observation)) };
  }
}
