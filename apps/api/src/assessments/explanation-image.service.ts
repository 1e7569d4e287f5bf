import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  decodeFrame,
  modelInputGeometry,
  parseDicom,
  readImageMetadata,
  renderPng,
  toDisplay,
} from '@mosaic/dicom';
import type { Diagnosis } from '@mosaic/fusion';
import { BLOB_STORE, ImagingInstance } from '@mosaic/persistence';
import type { Assessment, BlobStore } from '@mosaic/persistence';
import { AssessmentError, AssessmentErrorCode } from './assessments.errors';
import { AssessmentsService } from './assessments.service';
import type { RecordedInputs } from './dto/assessment-response.dto';

/**
 * The image explanation of one label as a PNG: the DICOM frame the assessment read, windowed as
 * the model saw it (header VOI LUT, else a histogram window; MONOCHROME1 inverted — libs/dicom
 * toDisplay), with the label's patch-attention grid upsampled bilinearly onto the original pixel
 * grid (undoing the model's resize and padding) and blended over it (libs/dicom renderPng).
 */
@Injectable()
export class ExplanationImageService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly assessments: AssessmentsService,
    @Inject(BLOB_STORE) private readonly blobs: BlobStore,
  ) {}

  async render(id: string, label: string): Promise<{ png: Buffer; record: Assessment; instanceId: string }> {
    const record = await this.assessments.get(this.dataSource.manager, id);
    const diagnosis = (record.diagnoses as unknown as Diagnosis[]).find((d) => d.label === label);
    if (!diagnosis) {
      throw new AssessmentError(
        AssessmentErrorCode.ExplanationNotFound,
        `assessment ${id} has no label ${label}`,
      );
    }
    const evidence = diagnosis.explanation.image;
    if (!evidence) {
      throw new AssessmentError(
        AssessmentErrorCode.ExplanationNotFound,
        `assessment ${id} used no image, so ${label} has no image evidence`,
      );
    }
    const instance = await this.dataSource.manager
      .getRepository(ImagingInstance)
      .findOneBy({ id: evidence.instanceId, patientId: record.patientId });
    if (!instance) {
      throw new AssessmentError(
        AssessmentErrorCode.ExplanationNotFound,
        `the image ${evidence.instanceId} of assessment ${id} is no longer stored`,
      );
    }
    const dataset = parseDicom(await this.blobs.get(instance.blobKey));
    const metadata = readImageMetadata(dataset);
    if (!metadata) {
      throw new AssessmentError(
        AssessmentErrorCode.ExplanationNotFound,
        `the image ${instance.id} has no pixel data`,
      );
    }
    const frame = await decodeFrame(dataset, evidence.frame);
    const display = toDisplay(frame, metadata, { ds: dataset });
    const { imageSize } = record.inputs as unknown as RecordedInputs;
    const geometry = modelInputGeometry(display.rows, display.columns, imageSize);
    const png = renderPng(display, {
      weights: evidence.weights,
      rows: evidence.grid.rows,
      cols: evidence.grid.cols,
      geometry,
      colormap: 'jet',
      alpha: 0.5,
    });
    return { png, record, instanceId: instance.id };
  }
}
