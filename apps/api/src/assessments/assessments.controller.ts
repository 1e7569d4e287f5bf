import {
  Body,
  Controller,
  Get,
  Header,
  HttpCode,
  HttpStatus,
  Param,
  Post,
  Query,
  StreamableFile,
} from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Permission } from '@mosaic/domain';
import { AuditService } from '../audit/audit.service';
import { Authorize } from '../auth/authorize.decorator';
import { CurrentActor } from '../common/context/request-actor';
import type { RequestActor } from '../common/context/request-actor';
import { PatientIdParam } from '../patients/dto/patient-id.param';
import { PageQueryDto } from '../patients/dto/paging.dto';
import type { Page } from '../patients/dto/paging.dto';
import { AssessmentReplayService } from './assessment-replay.service';
import type { ReplayReport } from './assessment-replay.service';
import { AssessmentsService } from './assessments.service';
import { AssessmentIdParam, ExplanationImageParams } from './dto/assessment-params.dto';
import { AssessmentResponseDto, AssessmentSummaryDto } from './dto/assessment-response.dto';
import { CreateAssessmentDto } from './dto/create-assessment.dto';
import { ExplanationImageService } from './explanation-image.service';

/** The global prefix (app.factory API_PREFIX), for the overlay URLs in the payload. */
const PREFIX = '/api/v1';

@ApiTags('assessments')
@ApiBearerAuth()
@Controller('patients/:id/assessments')
export class PatientAssessmentsController {
  constructor(
    private readonly assessments: AssessmentsService,
    private readonly audit: AuditService,
  ) {}

  /** Runs the active model (or `modelVersion`) on the patient's inputs as of `asOf` and records the result. */
  @Post()
  @Authorize(Permission.AssessmentRun)
  @ApiCreatedResponse({ type: AssessmentResponseDto })
  async create(
    @Param() params: PatientIdParam,
    @Body() body: CreateAssessmentDto,
    @CurrentActor() actor: RequestActor,
  ): Promise<AssessmentResponseDto> {
    const { record, persistenceMs } = await this.assessments.assess(actor, params.id, body);
    return AssessmentResponseDto.from(record, PREFIX, { persistenceMs });
  }

  /** The patient's assessments, newest first. */
  @Get()
  @Authorize(Permission.AssessmentRead)
  async list(
    @Param() params: PatientIdParam,
    @Query() query: PageQueryDto,
    @CurrentActor() actor: RequestActor,
  ): Promise<Page<AssessmentSummaryDto>> {
    const page = await this.audit.audited(
      actor,
      (manager) => this.assessments.list(manager, params.id, query),
      (result) => ({
        action: 'assessment.list',
        resourceType: 'Assessment',
        resourceIds: result.items.map((a) => a.id),
        patientId: params.id,
      }),
    );
    return { ...page, items: page.items.map((a) => AssessmentSummaryDto.from(a)) };
  }
}

@ApiTags('assessments')
@ApiBearerAuth()
@Controller('assessments')
export class AssessmentsController {
  constructor(
    private readonly assessments: AssessmentsService,
    private readonly replays: AssessmentReplayService,
    private readonly images: ExplanationImageService,
    private readonly audit: AuditService,
  ) {}

  @Get(':id')
  @Authorize(Permission.AssessmentRead)
  @ApiOkResponse({ type: AssessmentResponseDto })
  async get(
    @Param() params: AssessmentIdParam,
    @CurrentActor() actor: RequestActor,
  ): Promise<AssessmentResponseDto> {
    const record = await this.audit.audited(
      actor,
      (manager) => this.assessments.get(manager, params.id),
      (result) => ({
        action: 'assessment.read',
        resourceType: 'Assessment',
        resourceIds: [result.id],
        patientId: result.patientId,
      }),
    );
    return AssessmentResponseDto.from(record, PREFIX);
  }

  /** Recomputes the assessment from its stored inputs and compares everything exactly (docs/assessments.md §Replay). */
  @Post(':id/replay')
  @HttpCode(HttpStatus.OK)
  @Authorize(Permission.AssessmentRead)
  replay(@Param() params: AssessmentIdParam, @CurrentActor() actor: RequestActor): Promise<ReplayReport> {
    return this.replays.replay(actor, params.id);
  }

  /** The DICOM frame, windowed, with the label's attention heatmap blended over it. */
  @Get(':id/explanations/:label/image.png')
  @Authorize(Permission.AssessmentRead)
  @Header('Content-Type', 'image/png')
  @ApiProduces('image/png')
  async image(
    @Param() params: ExplanationImageParams,
    @CurrentActor() actor: RequestActor,
  ): Promise<StreamableFile> {
    const { png, record, instanceId } = await this.images.render(params.id, params.label);
    await this.audit.audited(
      actor,
      async () => null,
      () => ({
        action: 'assessment.explanation.image',
        resourceType: 'Assessment',
        resourceIds: [record.id, instanceId],
        patientId: record.patientId,
      }),
    );
    return new StreamableFile(png, { type: 'image/png', length: png.length });
  }
}
