import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { Permission } from '@mosaic/domain';
import { AuditEvent } from '@mosaic/persistence';
import { Authorize } from '../auth/authorize.decorator';
import { AuditEventDto, AuditQueryDto } from './dto/audit-query.dto';

@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit')
export class AuditController {
  constructor(private readonly dataSource: DataSource) {}

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
}
