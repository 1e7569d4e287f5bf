import { Module } from '@nestjs/common';
import { PatientsModule } from '../patients/patients.module';
import { VitalsController } from './vitals.controller';
import { VitalsService } from './vitals.service';

@Module({ imports: [PatientsModule], controllers: [VitalsController], providers: [VitalsService] })
export class VitalsModule {}
