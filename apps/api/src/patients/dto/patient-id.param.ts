import { ApiProperty } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';

/** `:id` of /patients/:id/…, so a malformed id is a 400 naming the parameter rather than a 404. */
export class PatientIdParam {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all', { message: 'id must be a patient id (UUID)' })
  id: string;
}
