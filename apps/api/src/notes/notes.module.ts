import { Module } from '@nestjs/common';
import { PatientsModule } from '../patients/patients.module';
import { NotesController } from './notes.controller';
import { NotesService } from './notes.service';

@Module({ imports: [PatientsModule], controllers: [NotesController], providers: [NotesService] })
export class NotesModule {}
