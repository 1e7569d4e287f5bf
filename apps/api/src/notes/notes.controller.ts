import { Body, Controller, Get, HttpStatus, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Permission } from '@mosaic/domain';
import { AuditService } from '../audit/audit.service';
import { Authorize } from '../auth/authorize.decorator';
import { apiSource, CurrentActor } from '../common/context/request-actor';
import type { RequestActor } from '../common/context/request-actor';
import { PatientIdParam } from '../patients/dto/patient-id.param';
import { TimeRangePageQueryDto } from '../patients/dto/paging.dto';
import type { Page } from '../patients/dto/paging.dto';
import { CreateNoteDto, NoteResponseDto, PatientNoteParams } from './dto/note.dto';
import { NotesService } from './notes.service';

@ApiTags('notes')
@ApiBearerAuth()
@Controller('patients/:id/notes')
export class NotesController {
  constructor(
    private readonly notes: NotesService,
    private readonly audit: AuditService,
  ) {}

  /** 201 for a new note; 200 with the stored note when the patient already has this exact text. */
  @Post()
  @Authorize(Permission.ClinicalDataWrite)
  @ApiCreatedResponse({ type: NoteResponseDto })
  @ApiOkResponse({ type: NoteResponseDto, description: 'same text already stored for this patient' })
  async create(
    @Param() params: PatientIdParam,
    @Body() body: CreateNoteDto,
    @CurrentActor() actor: RequestActor,
    @Res({ passthrough: true }) response: Response,
  ): Promise<NoteResponseDto> {
    const { note, created } = await this.audit.audited(
      actor,
      (manager) => this.notes.create(manager, params.id, body, apiSource(actor)),
      (result) => ({
        action: result.created ? 'note.create' : 'note.match',
        resourceType: 'ClinicalNote',
        resourceIds: [result.note.id],
        patientId: params.id,
      }),
    );
    response.status(created ? HttpStatus.CREATED : HttpStatus.OK);
    return NoteResponseDto.from(note);
  }

  @Get()
  @Authorize(Permission.ClinicalDataRead)
  async list(
    @Param() params: PatientIdParam,
    @Query() query: TimeRangePageQueryDto,
    @CurrentActor() actor: RequestActor,
  ): Promise<Page<NoteResponseDto>> {
    const page = await this.audit.audited(
      actor,
      (manager) => this.notes.list(manager, params.id, query),
      (result) => ({
        action: 'note.list',
        resourceType: 'ClinicalNote',
        resourceIds: result.items.map((note) => note.id),
        patientId: params.id,
      }),
    );
    return { ...page, items: page.items.map((note) => NoteResponseDto.from(note)) };
  }

  @Get(':noteId')
  @Authorize(Permission.ClinicalDataRead)
  @ApiOkResponse({ type: NoteResponseDto })
  async get(
    @Param() params: PatientNoteParams,
    @CurrentActor() actor: RequestActor,
  ): Promise<NoteResponseDto> {
    const note = await this.audit.audited(
      actor,
      (manager) => this.notes.get(manager, params.id, params.noteId),
      () => ({
        action: 'note.read',
        resourceType: 'ClinicalNote',
        resourceIds: [params.noteId],
        patientId: params.id,
      }),
    );
    return NoteResponseDto.from(note);
  }
}
