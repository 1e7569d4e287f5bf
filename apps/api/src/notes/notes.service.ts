import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { RecordStatus } from '@mosaic/domain';
import type { RecordSource } from '@mosaic/domain';
import { ClinicalNote } from '@mosaic/persistence';
import type { Page, TimeRangePageQueryDto } from '../patients/dto/paging.dto';
import { PatientsService } from '../patients/patients.service';
import { DEFAULT_NOTE_LOINC_TYPE } from './dto/note.dto';
import type { CreateNoteDto } from './dto/note.dto';
import { NoteError, NoteErrorCode } from './notes.errors';

export interface NoteCreation {
  note: ClinicalNote;
  created: boolean;
}

@Injectable()
export class NotesService {
  constructor(private readonly patients: PatientsService) {}

  /**
   * Stores the note unless the patient already has one with the same text (same sha256), in which
   * case the stored note is returned unchanged. ON CONFLICT makes this safe under concurrent posts.
   */
  async create(
    manager: EntityManager,
    patientId: string,
    body: CreateNoteDto,
    source: RecordSource,
  ): Promise<NoteCreation> {
    await this.patients.requireExists(manager, patientId);
    const sha256 = createHash('sha256').update(body.text, 'utf8').digest('hex');
    const inserted: { id: string }[] = await manager.query(
      `WITH inserted AS (
         INSERT INTO clinical_notes
           (patient_id, loinc_type, author, text, sha256, effective_at, status, source_kind, source_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT ON CONSTRAINT uq_clinical_notes_patient_sha256 DO NOTHING
         RETURNING id)
       SELECT id FROM inserted`,
      [
        patientId,
        body.loincType ?? DEFAULT_NOTE_LOINC_TYPE,
        body.author ?? null,
        body.text,
        sha256,
        new Date(body.authoredAt).toISOString(),
        body.status ?? RecordStatus.Final,
        source.kind,
        source.id,
      ],
    );
    const note = await manager.getRepository(ClinicalNote).findOneByOrFail({ patientId, sha256 });
    return { note, created: inserted.length > 0 };
  }

  async get(manager: EntityManager, patientId: string, noteId: string): Promise<ClinicalNote> {
    await this.patients.requireExists(manager, patientId);
    const note = await manager.getRepository(ClinicalNote).findOneBy({ id: noteId, patientId });
    if (!note) throw new NoteError(NoteErrorCode.NotFound, `patient ${patientId} has no note ${noteId}`);
    return note;
  }

  /** Newest first by effectiveAt, within the optional half-open [from, to) window. */
  async list(
    manager: EntityManager,
    patientId: string,
    query: TimeRangePageQueryDto,
  ): Promise<Page<ClinicalNote>> {
    await this.patients.requireExists(manager, patientId);
    const builder = manager
      .getRepository(ClinicalNote)
      .createQueryBuilder('note')
      .where('note.patient_id = :patientId', { patientId });
    if (query.from) builder.andWhere('note.effective_at >= :from', { from: new Date(query.from) });
    if (query.to) builder.andWhere('note.effective_at < :to', { to: new Date(query.to) });
    const [items, total] = await builder
      .orderBy('note.effective_at', 'DESC')
      .addOrderBy('note.id', 'ASC')
      .take(query.limit)
      .skip(query.offset)
      .getManyAndCount();
    return { items, total, limit: query.limit, offset: query.offset };
  }
}
