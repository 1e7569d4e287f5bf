/** Why a DICOM file could not be read, decoded or written. The API maps every code to HTTP 422. */
export enum DicomErrorCode {
  /** Fewer bytes than a Part 10 preamble, or the data ends inside an element (PS3.10 §7.1). */
  Truncated = 'DICOM_TRUNCATED',
  /** 128 bytes are present but no "DICM" prefix follows them, and the bytes do not start a data set. */
  BadPreamble = 'DICOM_BAD_PREAMBLE',
  /** The meta header has no (0002,0010) Transfer Syntax UID. */
  MissingTransferSyntax = 'DICOM_MISSING_TRANSFER_SYNTAX',
  /** A transfer syntax this library cannot decode. */
  UnsupportedTransferSyntax = 'DICOM_UNSUPPORTED_TRANSFER_SYNTAX',
  /** An element declares a length beyond the end of the data, or beyond the configured bound. */
  AbsurdLength = 'DICOM_ABSURD_LENGTH',
  /** The data set is not well formed (bad item tags, sequence delimiters, VR). */
  Malformed = 'DICOM_MALFORMED',
  /** No (7FE0,0010) Pixel Data, or the image pixel module (PS3.3 C.7.6.3) is missing or inconsistent. */
  NoPixelData = 'DICOM_NO_PIXEL_DATA',
  InvalidPixelModule = 'DICOM_INVALID_PIXEL_MODULE',
  /** Native pixel data shorter or longer than rows × columns × samples × bits allocated × frames. */
  PixelDataLengthMismatch = 'DICOM_PIXEL_DATA_LENGTH_MISMATCH',
  /** The requested frame does not exist (frames are 0-based). */
  FrameOutOfRange = 'DICOM_FRAME_OUT_OF_RANGE',
  /** The codec rejected the compressed stream, or produced fewer samples than declared. */
  CorruptCompressedData = 'DICOM_CORRUPT_COMPRESSED_DATA',
  /** The decoding worker did not answer within the time bound and was terminated. */
  DecodeTimeout = 'DICOM_DECODE_TIMEOUT',
  /** The deflated data set could not be inflated, or inflates beyond the bound. */
  BadDeflate = 'DICOM_BAD_DEFLATE',
  /** An encoder failed or the writer received inconsistent input. */
  EncodeFailed = 'DICOM_ENCODE_FAILED',
  InvalidArgument = 'DICOM_INVALID_ARGUMENT',
}

/** A typed failure: `code` for programs, `message` names the file and the problem for people. */
export class DicomError extends Error {
  constructor(
    readonly code: DicomErrorCode,
    message: string,
    readonly fileName?: string,
  ) {
    super(fileName ? `${fileName}: ${message}` : message);
    this.name = 'DicomError';
  }
}

export function isDicomError(error: unknown): error is DicomError {
  return error instanceof DicomError;
}
