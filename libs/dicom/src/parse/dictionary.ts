/**
 * The VRs of the attributes this library reads or rewrites (DICOM PS3.6 §6). Implicit VR files carry no
 * VR, so re-encoding them as Explicit VR needs this table; an attribute absent from it is written as UN,
 * which PS3.5 §6.2.2 allows.
 */
const entries: ReadonlyArray<readonly [number, string, string]> = [
  [0x00020000, 'UL', 'FileMetaInformationGroupLength'],
  [0x00020001, 'OB', 'FileMetaInformationVersion'],
  [0x00020002, 'UI', 'MediaStorageSOPClassUID'],
  [0x00020003, 'UI', 'MediaStorageSOPInstanceUID'],
  [0x00020010, 'UI', 'TransferSyntaxUID'],
  [0x00020012, 'UI', 'ImplementationClassUID'],
  [0x00020013, 'SH', 'ImplementationVersionName'],
  [0x00080005, 'CS', 'SpecificCharacterSet'],
  [0x00080008, 'CS', 'ImageType'],
  [0x00080012, 'DA', 'InstanceCreationDate'],
  [0x00080013, 'TM', 'InstanceCreationTime'],
  [0x00080014, 'UI', 'InstanceCreatorUID'],
  [0x00080016, 'UI', 'SOPClassUID'],
  [0x00080018, 'UI', 'SOPInstanceUID'],
  [0x00080020, 'DA', 'StudyDate'],
  [0x00080021, 'DA', 'SeriesDate'],
  [0x00080022, 'DA', 'AcquisitionDate'],
  [0x00080023, 'DA', 'ContentDate'],
  [0x0008002a, 'DT', 'AcquisitionDateTime'],
  [0x00080030, 'TM', 'StudyTime'],
  [0x00080031, 'TM', 'SeriesTime'],
  [0x00080032, 'TM', 'AcquisitionTime'],
  [0x00080033, 'TM', 'ContentTime'],
  [0x00080050, 'SH', 'AccessionNumber'],
  [0x00080060, 'CS', 'Modality'],
  [0x00080064, 'CS', 'ConversionType'],
  [0x00080070, 'LO', 'Manufacturer'],
  [0x00080080, 'LO', 'InstitutionName'],
  [0x00080081, 'ST', 'InstitutionAddress'],
  [0x00080090, 'PN', 'ReferringPhysicianName'],
  [0x00080092, 'ST', 'ReferringPhysicianAddress'],
  [0x00080094, 'SH', 'ReferringPhysicianTelephoneNumbers'],
  [0x00080201, 'SH', 'TimezoneOffsetFromUTC'],
  [0x00081010, 'SH', 'StationName'],
  [0x00081030, 'LO', 'StudyDescription'],
  [0x0008103e, 'LO', 'SeriesDescription'],
  [0x00081040, 'LO', 'InstitutionalDepartmentName'],
  [0x00081048, 'PN', 'PhysiciansOfRecord'],
  [0x00081050, 'PN', 'PerformingPhysicianName'],
  [0x00081060, 'PN', 'NameOfPhysiciansReadingStudy'],
  [0x00081070, 'PN', 'OperatorsName'],
  [0x00081080, 'LO', 'AdmittingDiagnosesDescription'],
  [0x00081090, 'LO', 'ManufacturerModelName'],
  [0x00081110, 'SQ', 'ReferencedStudySequence'],
  [0x00081111, 'SQ', 'ReferencedPerformedProcedureStepSequence'],
  [0x00081120, 'SQ', 'ReferencedPatientSequence'],
  [0x00081140, 'SQ', 'ReferencedImageSequence'],
  [0x00081150, 'UI', 'ReferencedSOPClassUID'],
  [0x00081155, 'UI', 'ReferencedSOPInstanceUID'],
  [0x00082111, 'ST', 'DerivationDescription'],
  [0x00100010, 'PN', 'PatientName'],
  [0x00100020, 'LO', 'PatientID'],
  [0x00100021, 'LO', 'IssuerOfPatientID'],
  [0x00100030, 'DA', 'PatientBirthDate'],
  [0x00100032, 'TM', 'PatientBirthTime'],
  [0x00100040, 'CS', 'PatientSex'],
  [0x00101000, 'LO', 'OtherPatientIDs'],
  [0x00101001, 'PN', 'OtherPatientNames'],
  [0x00101010, 'AS', 'PatientAge'],
  [0x00101020, 'DS', 'PatientSize'],
  [0x00101030, 'DS', 'PatientWeight'],
  [0x00101040, 'LO', 'PatientAddress'],
  [0x00102154, 'SH', 'PatientTelephoneNumbers'],
  [0x00102160, 'SH', 'EthnicGroup'],
  [0x00104000, 'LT', 'PatientComments'],
  [0x00120062, 'CS', 'PatientIdentityRemoved'],
  [0x00120063, 'LO', 'DeidentificationMethod'],
  [0x00120064, 'SQ', 'DeidentificationMethodCodeSequence'],
  [0x00080100, 'SH', 'CodeValue'],
  [0x00080102, 'SH', 'CodingSchemeDesignator'],
  [0x00080104, 'LO', 'CodeMeaning'],
  [0x00180015, 'CS', 'BodyPartExamined'],
  [0x00180050, 'DS', 'SliceThickness'],
  [0x00181000, 'LO', 'DeviceSerialNumber'],
  [0x00181020, 'LO', 'SoftwareVersions'],
  [0x00181030, 'LO', 'ProtocolName'],
  [0x00181164, 'DS', 'ImagerPixelSpacing'],
  [0x00185101, 'CS', 'ViewPosition'],
  [0x0020000d, 'UI', 'StudyInstanceUID'],
  [0x0020000e, 'UI', 'SeriesInstanceUID'],
  [0x00200010, 'SH', 'StudyID'],
  [0x00200011, 'IS', 'SeriesNumber'],
  [0x00200013, 'IS', 'InstanceNumber'],
  [0x00200020, 'CS', 'PatientOrientation'],
  [0x00200032, 'DS', 'ImagePositionPatient'],
  [0x00200037, 'DS', 'ImageOrientationPatient'],
  [0x00200052, 'UI', 'FrameOfReferenceUID'],
  [0x00204000, 'LT', 'ImageComments'],
  [0x00280002, 'US', 'SamplesPerPixel'],
  [0x00280004, 'CS', 'PhotometricInterpretation'],
  [0x00280006, 'US', 'PlanarConfiguration'],
  [0x00280008, 'IS', 'NumberOfFrames'],
  [0x00280009, 'AT', 'FrameIncrementPointer'],
  [0x00280010, 'US', 'Rows'],
  [0x00280011, 'US', 'Columns'],
  [0x00280030, 'DS', 'PixelSpacing'],
  [0x00280034, 'IS', 'PixelAspectRatio'],
  [0x00280100, 'US', 'BitsAllocated'],
  [0x00280101, 'US', 'BitsStored'],
  [0x00280102, 'US', 'HighBit'],
  [0x00280103, 'US', 'PixelRepresentation'],
  [0x00280106, 'US', 'SmallestImagePixelValue'],
  [0x00280107, 'US', 'LargestImagePixelValue'],
  [0x00281040, 'CS', 'PixelIntensityRelationship'],
  [0x00281041, 'SS', 'PixelIntensityRelationshipSign'],
  [0x00281050, 'DS', 'WindowCenter'],
  [0x00281051, 'DS', 'WindowWidth'],
  [0x00281052, 'DS', 'RescaleIntercept'],
  [0x00281053, 'DS', 'RescaleSlope'],
  [0x00281054, 'LO', 'RescaleType'],
  [0x00281055, 'LO', 'WindowCenterWidthExplanation'],
  [0x00281056, 'CS', 'VOILUTFunction'],
  [0x00281101, 'US', 'RedPaletteColorLookupTableDescriptor'],
  [0x00281102, 'US', 'GreenPaletteColorLookupTableDescriptor'],
  [0x00281103, 'US', 'BluePaletteColorLookupTableDescriptor'],
  [0x00281201, 'OW', 'RedPaletteColorLookupTableData'],
  [0x00281202, 'OW', 'GreenPaletteColorLookupTableData'],
  [0x00281203, 'OW', 'BluePaletteColorLookupTableData'],
  [0x00282110, 'CS', 'LossyImageCompression'],
  [0x00282112, 'DS', 'LossyImageCompressionRatio'],
  [0x00282114, 'CS', 'LossyImageCompressionMethod'],
  [0x00283000, 'SQ', 'ModalityLUTSequence'],
  [0x00283002, 'US', 'LUTDescriptor'],
  [0x00283003, 'LO', 'LUTExplanation'],
  [0x00283004, 'LO', 'ModalityLUTType'],
  [0x00283006, 'US', 'LUTData'],
  [0x00283010, 'SQ', 'VOILUTSequence'],
  [0x00321032, 'PN', 'RequestingPhysician'],
  [0x00321060, 'LO', 'RequestedProcedureDescription'],
  [0x00324000, 'LT', 'StudyComments'],
  [0x00400244, 'DA', 'PerformedProcedureStepStartDate'],
  [0x00400245, 'TM', 'PerformedProcedureStepStartTime'],
  [0x00400253, 'SH', 'PerformedProcedureStepID'],
  [0x00400254, 'LO', 'PerformedProcedureStepDescription'],
  [0x00401001, 'SH', 'RequestedProcedureID'],
  [0x7fe00010, 'OW', 'PixelData'],
];

const vrByTag = new Map<number, string>(entries.map(([tag, vr]) => [tag, vr]));
const keywordByTag = new Map<number, string>(entries.map(([tag, , keyword]) => [tag, keyword]));

/** The dictionary VR of a tag; group-length elements (gggg,0000) are UL by PS3.5 §7.2. */
export function dictionaryVr(tag: number): string | undefined {
  if ((tag & 0xffff) === 0) return 'UL';
  return vrByTag.get(tag);
}

export function dictionaryKeyword(tag: number): string | undefined {
  return keywordByTag.get(tag);
}

/** "GGGGEEEE" (upper-case hex) for a numeric tag. */
export function tagHex(tag: number): string {
  return (tag >>> 0).toString(16).toUpperCase().padStart(8, '0');
}

/** "(GGGG,EEEE)" as DICOM documents write tags. */
export function tagLabel(tag: number): string {
  const hex = tagHex(tag);
  return `(${hex.slice(0, 4)},${hex.slice(4)})`;
}

/** VRs whose value is text in the Specific Character Set (PS3.5 §6.1.2.3). */
export const CHARSET_TEXT_VRS: ReadonlySet<string> = new Set(['SH', 'LO', 'ST', 'LT', 'UT', 'PN', 'UC']);
/** VRs whose value is text (any repertoire). */
export const TEXT_VRS: ReadonlySet<string> = new Set([
  'AE',
  'AS',
  'CS',
  'DA',
  'DS',
  'DT',
  'IS',
  'LO',
  'LT',
  'PN',
  'SH',
  'ST',
  'TM',
  'UC',
  'UI',
  'UR',
  'UT',
]);
/** VRs with a 4-byte length in Explicit VR (PS3.5 Table 7.1-1). */
export const LONG_LENGTH_VRS: ReadonlySet<string> = new Set([
  'OB',
  'OD',
  'OF',
  'OL',
  'OV',
  'OW',
  'SQ',
  'SV',
  'UC',
  'UN',
  'UR',
  'UT',
  'UV',
]);
/** Byte width of one value for VRs that are byte-order dependent. */
export function vrWordSize(vr: string): number {
  switch (vr) {
    case 'US':
    case 'SS':
    case 'OW':
    case 'AT':
      return 2;
    case 'UL':
    case 'SL':
    case 'FL':
    case 'OF':
    case 'OL':
      return 4;
    case 'FD':
    case 'OD':
    case 'OV':
    case 'SV':
    case 'UV':
      return 8;
    default:
      return 1;
  }
}
