import {
  Controller,
  Get,
  HttpStatus,
  Param,
  Post,
  Query,
  Res,
  StreamableFile,
  UploadedFiles,
  UseInterceptors,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { Permission } from '@mosaic/domain';
import { AuditService } from '../audit/audit.service';
import { Authorize } from '../auth/authorize.decorator';
import { apiSource, CurrentActor } from '../common/context/request-actor';
import type { RequestActor } from '../common/context/request-actor';
import { PatientIdParam } from '../patients/dto/patient-id.param';
import { TimeRangePageQueryDto } from '../patients/dto/paging.dto';
import type { Page } from '../patients/dto/paging.dto';
import { DicomUploadInterceptor, UPLOAD_FIELD } from './dicom-upload.interceptor';
import {
  ImageInstanceResponseDto,
  PatientImageParams,
  UploadImagesQueryDto,
  UploadImagesResponseDto,
} from './dto/image.dto';
import { ImagesService } from './images.service';
import type { UploadedFile } from './images.service';

@ApiTags('images')
@ApiBearerAuth()
@Controller('patients/:id/images')
export class ImagesController {
  constructor(
    private readonly images: ImagesService,
    private readonly audit: AuditService,
  ) {}

  /**
   * One or many DICOM Part 10 files, all or nothing: 201 when any file was new, 200 when every file
   * was already stored with the same bytes.
   */
  @Post()
  @Authorize(Permission.ClinicalDataWrite)
  @UseInterceptors(DicomUploadInterceptor)
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      properties: { [UPLOAD_FIELD]: { type: 'array', items: { type: 'string', format: 'binary' } } },
    },
  })
  @ApiCreatedResponse({ type: UploadImagesResponseDto })
  @ApiOkResponse({ type: UploadImagesResponseDto, description: 'every file was already stored' })
  async upload(
    @Param() params: PatientIdParam,
    @Query() query: UploadImagesQueryDto,
    @UploadedFiles() files: UploadedFile[] | undefined,
    @CurrentActor() actor: RequestActor,
    @Res({ passthrough: true }) response: Response,
  ): Promise<UploadImagesResponseDto> {
    const inspected = this.images.inspect(files ?? []);
    const stored = await this.audit.audited(
      actor,
      (manager) =>
        this.images.store(
          manager,
          params.id,
          inspected,
          { overridePatientId: query.overridePatientId ?? false },
          apiSource(actor),
        ),
      (result) => ({
        action: 'image.create',
        resourceType: 'ImagingInstance',
        resourceIds: result.map(({ instance }) => instance.id),
        patientId: params.id,
      }),
    );
    const created = stored.filter((item) => item.outcome === 'created').length;
    response.status(created > 0 ? HttpStatus.CREATED : HttpStatus.OK);
    return {
      created,
      existing: stored.length - created,
      instances: stored.map(({ fileName, instance, outcome }) => ({
        ...ImageInstanceResponseDto.from(instance),
        fileName,
        outcome,
      })),
    };
  }

  @Get()
  @Authorize(Permission.ClinicalDataRead)
  async list(
    @Param() params: PatientIdParam,
    @Query() query: TimeRangePageQueryDto,
    @CurrentActor() actor: RequestActor,
  ): Promise<Page<ImageInstanceResponseDto>> {
    const page = await this.audit.audited(
      actor,
      (manager) => this.images.list(manager, params.id, query),
      (result) => ({
        action: 'image.list',
        resourceType: 'ImagingInstance',
        resourceIds: result.items.map((instance) => instance.id),
        patientId: params.id,
      }),
    );
    return { ...page, items: page.items.map((instance) => ImageInstanceResponseDto.from(instance)) };
  }

  @Get(':imageId')
  @Authorize(Permission.ClinicalDataRead)
  @ApiOkResponse({ type: ImageInstanceResponseDto })
  async get(
    @Param() params: PatientImageParams,
    @CurrentActor() actor: RequestActor,
  ): Promise<ImageInstanceResponseDto> {
    const instance = await this.audit.audited(
      actor,
      (manager) => this.images.get(manager, params.id, params.imageId),
      () => ({
        action: 'image.read',
        resourceType: 'ImagingInstance',
        resourceIds: [params.imageId],
        patientId: params.id,
      }),
    );
    return ImageInstanceResponseDto.from(instance);
  }

  /** The stored Part 10 file, byte for byte (DICOM PS3.18 §8.7.3.5: media type application/dicom). */
  @Get(':imageId/file')
  @Authorize(Permission.ClinicalDataRead)
  @ApiProduces('application/dicom')
  async download(
    @Param() params: PatientImageParams,
    @CurrentActor() actor: RequestActor,
  ): Promise<StreamableFile> {
    const instance = await this.audit.audited(
      actor,
      (manager) => this.images.get(manager, params.id, params.imageId),
      () => ({
        action: 'image.download',
        resourceType: 'ImagingInstance',
        resourceIds: [params.imageId],
        patientId: params.id,
      }),
    );
    const bytes = await this.images.readBlob(instance);
    return new StreamableFile(bytes, {
      type: 'application/dicom',
      length: bytes.byteLength,
      disposition: `attachment; filename="${instance.sopInstanceUid}.dcm"`,
    });
  }
}
