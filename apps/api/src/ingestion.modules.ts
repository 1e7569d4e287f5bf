import type { Type } from '@nestjs/common';
import { AssessmentsModule } from './assessments/assessments.module';
import { ImagesModule } from './images/images.module';
import { ModelsModule } from './models/models.module';
import { NotesModule } from './notes/notes.module';
import { PatientsModule } from './patients/patients.module';
import { VitalsModule } from './vitals/vitals.module';

/** The patient-data modules: patients, notes, images and vitals; then models and assessments. */
export const INGESTION_MODULES: Type[] = [
  PatientsModule,
  NotesModule,
  ImagesModule,
  VitalsModule,
  ModelsModule,
  AssessmentsModule,
];
