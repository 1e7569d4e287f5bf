// Public surface of @mosaic/dicom (docs/dicom.md). Keep it small and stable: the API ingestion path,
// libs/cohort, libs/preprocess and libs/fusion depend on it.
export { DicomError, DicomErrorCode, isDicomError } from './errors/dicom-error';
export { TransferSyntax, transferSyntaxInfo, supportedTransferSyntaxes } from './parse/transfer-syntax';
export type { TransferSyntaxInfo, TransferSyntaxUid, CodecFamily } from './parse/transfer-syntax';
export { parseDicom } from './parse/parse-dicom';
export type { ParseDicomOptions } from './parse/parse-dicom';
export { DicomDataset } from './parse/dicom-dataset';
export { CharacterSet } from './parse/character-set';
export { readMetadata, readImageMetadata } from './parse/metadata';
export type { DicomMetadata, ImageMetadata, LutDescriptor, WindowSetting } from './parse/metadata';
export { readPixelModule } from './parse/pixel-module';
export type { PixelModule, PhotometricInterpretation } from './parse/pixel-module';
export { resolveDicomDateTime } from './parse/date-time';
export type { ResolvedDateTime } from './parse/date-time';
export { writeDicom, part10Preamble, WRITABLE_TRANSFER_SYNTAXES } from './write/write-dicom';
export type { WriteDicomOptions, DicomImageInput } from './write/write-dicom';
export type { DicomElementInput, EncapsulatedValue } from './write/element-encoder';
export { generateUid, uidFromSeed } from './write/uid';
export { decodeFrame, decodeAllFrames } from './pixels/decode-pixels';
export type { DecodeOptions } from './pixels/decode-pixels';
export { decodeFrameSync } from './pixels/decode-frame';
export type { DecodedFrame } from './pixels/decode-frame';
export { initializeCodecs } from './pixels/native-codecs';
export { closeCodecWorker, defaultCodecWorkers } from './pixels/codec-pool';
export type { SampleArray } from './pixels/stored-values';
export { applyModalityLut, applyVoi, chooseVoi, histogramWindow, toDisplay } from './lut/display-pipeline';
export type { DisplayImage, VoiTransform, ExplicitLut } from './lut/display-pipeline';
export {
  prepareModelInput,
  modelInputGeometry,
  gridCellToPixelRect,
} from './model-input/prepare-model-input';
export type { ModelInput, ModelInputGeometry, PixelRect } from './model-input/prepare-model-input';
export { decodeMaskPng, gridCellsTouchingMask, rectTouchesMask, unionMasks } from './model-input/binary-mask';
export type { BinaryMask } from './model-input/binary-mask';
export { renderPng, colormap } from './render/render-png';
export type { HeatmapOverlay, Colormap } from './render/render-png';
export { deidentify } from './deid/deidentify';
export type { DeidentifyOptions, DeidentifyResult } from './deid/deidentify';
export { BASIC_PROFILE_ACTIONS } from './deid/basic-profile';
export { writeNpy } from './npy/write-npy';
