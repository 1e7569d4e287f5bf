import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { DataSource } from 'typeorm';
import { AuditChain, readAuditEntries, toFhirBundle } from '@mosaic/audit';
import type { FhirBundle } from '@mosaic/audit';
import { Permission } from '@mosaic/domain';
import { AuditEvent } from '@mosaic/persistence';
import { Authorize } from '../auth/authorize.decorator';
import { AuditEventDto, AuditQueryDto } from './dto/audit-query.dto';
import { AuditFhirQueryDto } from './dto/audit-fhir-query.dto';
import { AuditVerificationDto } from './dto/audit-verification.dto';

@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit')
export class AuditController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly chain: AuditChain,
  ) {}

  /** The audit trail, newest first, filtered by patient and time. */
  @Get('events')
  @Authorize(Permission.AuditRead)
  async list(@Query() query: AuditQueryDto): Promise<{ items: AuditEventDto[]; total: number }> {
    const builder = this.dataSource.getRepository(AuditEvent).createQueryBuilder('event');
    if (query.patientId) builder.andWhere('event.patient_id = :patientId', { patientId: query.patientId });
    if (query.from) builder.andWhere('event.occurred_at >= :from', { from: query.from });
    if (query.to) builder.andWhere('event.occurred_at < :to', { to: query.to });
    const [events, total] = await builder
      .orderBy('event.seq', 'DESC')
      .take(query.limit)
      .skip(query.offset)
      .getManyAndCount();
    return { items: events.map((event) => AuditEventDto.from(event)), total };
  }

  /**
   * Recomputes every link of the hash chain and checks every signed checkpoint, streaming the chain
   * in batches. 200 either way: a broken chain is a finding to report, not a failed request.
   */
  @Get('verify')
  @Authorize(Permission.AuditRead)
  @ApiOkResponse({ type: AuditVerificationDto })
  async verify(): Promise<AuditVerificationDto> {
    return AuditVerificationDto.from(await this.chain.verify(this.dataSource));
  }

  /** The trail as a FHIR R4 searchset Bundle of AuditEvent resources (IHE BALP), in chain order. */
  @Get('fhir')
  @Authorize(Permission.AuditRead)
  async fhir(
    @Query() query: AuditFhirQueryDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<FhirBundle> {
    const page = await readAuditEntries(this.dataSource, {
      from: query.from,
      to: query.to,
      afterSeq: query.afterSeq,
      limit: query._count,
    });
    const base = `${request.protocol}://${request.get('host')}${request.baseUrl}${request.path}`;
    const link = (afterSeq?: string): string => {
      const params = new URLSearchParams();
      if (query.from) params.set('from', query.from);
      if (query.to) params.set('to', query.to);
      if (afterSeq) params.set('afterSeq', afterSeq);
      params.set('_count', String(query._count));
      return `${base}?${params.toString()}`;
    };
    const last = page.entries[page.entries.length - 1];
    response.type('application/fhir+json');
    return toFhirBundle(page.entries, {
      total: page.total,
      selfUrl: link(query.afterSeq),
      nextUrl: page.more && last ? link(last.seq) : undefined,
    });
  }
}
