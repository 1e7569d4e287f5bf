import { Inject, Injectable } from '@nestjs/common';
import { EntityManager, In } from 'typeorm';
import { MRN_TYPE_CODE } from '@mosaic/domain';
import type { RecordSource } from '@mosaic/domain';
import { BLOB_STORE, ImagingInstance, ImagingSeries, ImagingStudy } from '@mosaic/persistence';
import type { BlobStore, Patient } from '@mosaic/persistence';
import { AppConfig } from '../config/app-config';
import type { Page, TimeRangePageQueryDto } from '../patients/dto/paging.dto';
import { PatientsService } from '../patients/patients.service';
import { inspectDicomFile } from './dicom-file.inspector';
import type { InspectedDicomFile } from './dicom-file.inspector';
import { ImageError, ImageErrorCode, uploadRefused } from './images.errors';
import type { FileProblem } from './images.errors';

export interface UploadedFile {
  originalname: string;
  buffer: Buffer;
}

export interface StoredInstance {
  fileName: string;
  instance: ImagingInstance;
  outcome: 'created' | 'existing';
}

@Injectable()
export class ImagesService {
  constructor(
    private readonly patients: PatientsService,
    private readonly config: AppConfig,
    @Inject(BLOB_STORE) private readonly blobs: BlobStore,
  ) {}

  /**
   * Reads every file without touching the database, so an unreadable upload is refused without
   * holding the (PGlite) session. Throws one problem listing every bad file.
   */
  inspect(files: readonly UploadedFile[]): InspectedDicomFile[] {
    if (files.length === 0) {
      throw new ImageError(
        ImageErrorCode.NoFiles,
        "the upload holds no file: send one or more DICOM files in the multipart field 'files'",
      );
    }
    const problems: FileProblem[] = [];
    const inspected: InspectedDicomFile[] = [];
    const bySop = new Map<string, InspectedDicomFile>();
    files.forEach((upload, index) => {
      const fileName = upload.originalname || `file #${index}`;
      const result = inspectDicomFile(fileName, upload.buffer, this.config.MOSAIC_TIMEZONE);
      if (!result.ok) {
        problems.push(result.problem);
        return;
      }
      const earlier = bySop.get(result.file.sopInstanceUid);
      if (earlier && earlier.sha256 !== result.file.sha256) {
        problems.push({
          file: fileName,
          code: ImageErrorCode.SopInstanceConflict,
          detail: `SOP Instance UID ${result.file.sopInstanceUid} also belongs to ${earlier.fileName} in this upload, with different bytes`,
        });
        return;
      }
      if (earlier) return; // the same file twice in one upload is stored once
      bySop.set(result.file.sopInstanceUid, result.file);
      inspected.push(result.file);
    });
    if (problems.length > 0) throw uploadRefused(problems, files.length);
    return inspected;
  }

  /**
   * Stores the inspected files for the patient, atomically: every conflict is checked first, then the
   * new files are written to the blob store (before the transaction commits, so a committed row always
   * has its blob; a rolled-back upload leaves only orphans for the sweep), then the rows.
   */
  async store(
    manager: EntityManager,
    patientId: string,
    files: readonly InspectedDicomFile[],
    options: { overridePatientId: boolean },
    source: RecordSource,
  ): Promise<StoredInstance[]> {
    const patient = await this.patients.require(manager, patientId);
    const problems: FileProblem[] = options.overridePatientId ? [] : patientIdProblems(patient, files);

    const existing = await manager.getRepository(ImagingInstance).find({
      where: { sopInstanceUid: In(files.map((file) => file.sopInstanceUid)) },
      relations: { series: { study: true } },
    });
    const existingBySop = new Map(existing.map((instance) => [instance.sopInstanceUid, instance]));
    for (const file of files) {
      const stored = existingBySop.get(file.sopInstanceUid);
      if (stored && (stored.sha256 !== file.sha256 || stored.patientId !== patientId)) {
        problems.push(sopConflict(file, stored, patientId));
      }
    }
    const studies = await manager
      .getRepository(ImagingStudy)
      .findBy({ studyInstanceUid: In([...new Set(files.map((file) => file.studyInstanceUid))]) });
    for (const study of studies.filter((candidate) => candidate.patientId !== patientId)) {
      for (const file of files.filter((candidate) => candidate.studyInstanceUid === study.studyInstanceUid)) {
        problems.push({
          file: file.fileName,
          code: ImageErrorCode.StudyConflict,
          detail: `Study Instance UID ${study.studyInstanceUid} belongs to another patient (${study.patientId})`,
        });
      }
    }
    if (problems.length > 0) throw uploadRefused(problems, files.length);

    const results: StoredInstance[] = [];
    for (const file of files) {
      const stored = existingBySop.get(file.sopInstanceUid);
      if (stored) {
        results.push({ fileName: file.fileName, instance: stored, outcome: 'existing' });
        continue;
      }
      const blob = await this.blobs.put(file.bytes);
      const seriesId = await this.upsertSeries(manager, patientId, file);
      const instance = await this.insertInstance(manager, patientId, seriesId, file, blob.key, source);
      results.push({ fileName: file.fileName, ...instance });
    }
    return results;
  }

  async get(manager: EntityManager, patientId: string, instanceId: string): Promise<ImagingInstance> {
    await this.patients.requireExists(manager, patientId);
    const instance = await manager.getRepository(ImagingInstance).findOne({
      where: { id: instanceId, patientId },
      relations: { series: { study: true } },
    });
    if (!instance) {
      throw new ImageError(ImageErrorCode.NotFound, `patient ${patientId} has no image ${instanceId}`);
    }
    return instance;
  }

  /** Newest acquisition first, within the optional half-open [from, to) window on effectiveAt. */
  async list(
    manager: EntityManager,
    patientId: string,
    query: TimeRangePageQueryDto,
  ): Promise<Page<ImagingInstance>> {
    await this.patients.requireExists(manager, patientId);
    const builder = manager
      .getRepository(ImagingInstance)
      .createQueryBuilder('instance')
      .innerJoinAndSelect('instance.series', 'series')
      .innerJoinAndSelect('series.study', 'study')
      .where('instance.patient_id = :patientId', { patientId });
    if (query.from) builder.andWhere('instance.effective_at >= :from', { from: new Date(query.from) });
    if (query.to) builder.andWhere('instance.effective_at < :to', { to: new Date(query.to) });
    const [items, total] = await builder
      .orderBy('instance.effective_at', 'DESC')
      .addOrderBy('instance.id', 'ASC')
      .take(query.limit)
      .skip(query.offset)
      .getManyAndCount();
    return { items, total, limit: query.limit, offset: query.offset };
  }

  readBlob(instance: ImagingInstance): Promise<Buffer> {
    return this.blobs.get(instance.blobKey);
  }

  /** Study then series by UID: inserted when new, reused when present (ON CONFLICT DO NOTHING). */
  private async upsertSeries(
    manager: EntityManager,
    patientId: string,
    file: InspectedDicomFile,
  ): Promise<string> {
    await manager
      .createQueryBuilder()
      .insert()
      .into(ImagingStudy)
      .values({
        patientId,
        studyInstanceUid: file.studyInstanceUid,
        startedAt: file.studyStartedAt ? new Date(file.studyStartedAt) : null,
        description: file.studyDescription?.slice(0, 200) ?? null,
        accessionNumber: file.accessionNumber ?? null,
      })
      .orIgnore()
      .execute();
    const study = await manager
      .getRepository(ImagingStudy)
      .findOneByOrFail({ studyInstanceUid: file.studyInstanceUid });
    if (study.patientId !== patientId) {
      throw uploadRefused(
        [
          {
            file: file.fileName,
            code: ImageErrorCode.StudyConflict,
            detail: `Study Instance UID ${file.studyInstanceUid} was stored for another patient (${study.patientId}) by a concurrent upload`,
          },
        ],
        1,
      );
    }
    await manager
      .createQueryBuilder()
      .insert()
      .into(ImagingSeries)
      .values({
        studyId: study.id,
        seriesInstanceUid: file.seriesInstanceUid,
        modality: file.modality,
        bodyPart: file.bodyPart ?? null,
        seriesDescription: file.seriesDescription?.slice(0, 200) ?? null,
      })
      .orIgnore()
      .execute();
    const series = await manager
      .getRepository(ImagingSeries)
      .findOneByOrFail({ seriesInstanceUid: file.seriesInstanceUid });
    if (series.studyId !== study.id) {
      throw uploadRefused(
        [
          {
            file: file.fileName,
            code: ImageErrorCode.StudyConflict,
            detail: `Series Instance UID ${file.seriesInstanceUid} belongs to another study than ${file.studyInstanceUid}`,
          },
        ],
        1,
      );
    }
    return series.id;
  }

  /** ON CONFLICT keeps a concurrent upload of the same SOP instance from failing the transaction. */
  private async insertInstance(
    manager: EntityManager,
    patientId: string,
    seriesId: string,
    file: InspectedDicomFile,
    blobKey: string,
    source: RecordSource,
  ): Promise<Omit<StoredInstance, 'fileName'>> {
    const inserted: { id: string }[] = await manager.query(
      `WITH inserted AS (
         INSERT INTO imaging_instances
           (patient_id, series_id, sop_instance_uid, sop_class_uid, view_position, rows, columns,
            number_of_frames, transfer_syntax_uid, sha256, blob_key, byte_size, dicom_patient_id,
            effective_at, source_kind, source_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
         ON CONFLICT ON CONSTRAINT uq_imaging_instances_sop_uid DO NOTHING
         RETURNING id)
       SELECT id FROM inserted`,
      [
        patientId,
        seriesId,
        file.sopInstanceUid,
        file.sopClassUid,
        file.viewPosition ?? null,
        file.rows,
        file.columns,
        file.numberOfFrames,
        file.transferSyntaxUid,
        file.sha256,
        blobKey,
        file.bytes.byteLength,
        file.dicomPatientId ?? null,
        file.effectiveAt,
        source.kind,
        source.id,
      ],
    );
    const instance = await manager.getRepository(ImagingInstance).findOneOrFail({
      where: { sopInstanceUid: file.sopInstanceUid },
      relations: { series: { study: true } },
    });
    if (inserted.length === 0 && (instance.sha256 !== file.sha256 || instance.patientId !== patientId)) {
      throw uploadRefused([sopConflict(file, instance, patientId)], 1);
    }
    return { instance, outcome: inserted.length > 0 ? 'created' : 'existing' };
  }
}

/**
 * The target patient's MRNs: identifiers of type MR (HL7 v2 table 0203), or every identifier when
 * none is typed. A file whose PatientID equals none of them most likely belongs to someone else.
 */
function patientIdProblems(patient: Patient, files: readonly InspectedDicomFile[]): FileProblem[] {
  const mrns = patient.identifiers.filter((identifier) => identifier.typeCode === MRN_TYPE_CODE);
  const candidates = (mrns.length > 0 ? mrns : patient.identifiers).map((identifier) => identifier.value);
  if (candidates.length === 0) return [];
  return files
    .filter((file) => file.dicomPatientId !== undefined && !candidates.includes(file.dicomPatientId))
    .map((file) => ({
      file: file.fileName,
      code: ImageErrorCode.PatientIdMismatch,
      detail:
        `PatientID (0010,0020) in the file is '${file.dicomPatientId}', but patient ${patient.id} has MRN ` +
        `${candidates.map((value) => `'${value}'`).join(', ')}; if the file is this patient's, repeat the ` +
        'upload with ?overridePatientId=true (the file keeps its PatientID as received)',
    }));
}

function sopConflict(file: InspectedDicomFile, stored: ImagingInstance, patientId: string): FileProblem {
  return {
    file: file.fileName,
    code: ImageErrorCode.SopInstanceConflict,
    detail:
      stored.patientId !== patientId
        ? `SOP Instance UID ${file.sopInstanceUid} is already stored for another patient (${stored.patientId})`
        : `SOP Instance UID ${file.sopInstanceUid} is already stored (image ${stored.id}) with different bytes ` +
          `(sha256 ${stored.sha256.trim()}, this file ${file.sha256})`,
  };
}
