import type { Type } from '@nestjs/common';
import { ImagesModule } from './images/images.module';
import { NotesModule } from './notes/notes.module';
import { PatientsModule } from './patients/patients.module';
import { VitalsModule } from './vitals/vitals.module';

/** The patient-data modules: patients, notes, images and vitals. */
export const INGESTION_MODULES: Type[] = [PatientsModule, NotesModule, ImagesModule, VitalsModule];
