import type { Type } from '@nestjs/common';

/** The patient-data modules: patients, notes, images and vitals. */
export const INGESTION_MODULES: Type[] = [];
