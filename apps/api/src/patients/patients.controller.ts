import { Body, Controller, Get, HttpStatus, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Permission } from '@mosaic/domain';
import { AuditService } from '../audit/audit.service';
import { Authorize } from '../auth/authorize.decorator';
import { apiSource, CurrentActor } from '../common/context/request-actor';
import type { RequestActor } from '../common/context/request-actor';
import { CreatePatientDto, PatientResponseDto, PatientSearchQueryDto } from './dto/patient.dto';
import { PatientIdParam } from './dto/patient-id.param';
import type { Page } from './dto/paging.dto';
import { identifierRaceConflict, PatientsService } from './patients.service';

@ApiTags('patients')
@ApiBearerAuth()
@Controller('patients')
export class PatientsController {
  constructor(
    private readonly patients: PatientsService,
    private readonly audit: AuditService,
  ) {}

  /** 201 with the new patient, or 200 with the existing one on an identical re-post. */
  @Post()
  @Authorize(Permission.PatientWrite)
  @ApiCreatedResponse({ type: PatientResponseDto })
  @ApiOkResponse({ type: PatientResponseDto, description: 'identical re-post: the existing patient' })
  async create(
    @Body() body: CreatePatientDto,
    @CurrentActor() actor: RequestActor,
    @Res({ passthrough: true }) response: Response,
  ): Promise<PatientResponseDto> {
    try {
      const { patient, created } = await this.audit.audited(
        actor,
        (manager) => this.patients.create(manager, body, apiSource(actor)),
        (result) => ({
          action: result.created ? 'patient.create' : 'patient.match',
          resourceType: 'Patient',
          resourceIds: [result.patient.id],
          patientId: result.patient.id,
        }),
      );
      response.status(created ? HttpStatus.CREATED : HttpStatus.OK);
      return PatientResponseDto.from(patient);
    } catch (error) {
      throw identifierRaceConflict(error) ?? error;
    }
  }

  @Get()
  @Authorize(Permission.PatientRead)
  async search(
    @Query() query: PatientSearchQueryDto,
    @CurrentActor() actor: RequestActor,
  ): Promise<Page<PatientResponseDto>> {
    const page = await this.audit.audited(
      actor,
      (manager) => this.patients.search(manager, query),
      (result) => ({
        action: 'patient.search',
        resourceType: 'Patient',
        resourceIds: result.items.map((patient) => patient.id),
      }),
    );
    return { ...page, items: page.items.map((patient) => PatientResponseDto.from(patient)) };
  }

  @Get(':id')
  @Authorize(Permission.PatientRead)
  @ApiOkResponse({ type: PatientResponseDto })
  async get(
    @Param() params: PatientIdParam,
    @CurrentActor() actor: RequestActor,
  ): Promise<PatientResponseDto> {
    const patient = await this.audit.audited(
      actor,
      (manager) => this.patients.require(manager, params.id),
      () => ({
        action: 'patient.read',
        resourceType: 'Patient',
        resourceIds: [params.id],
        patientId: params.id,
      }),
    );
    return PatientResponseDto.from(patient);
  }
}
