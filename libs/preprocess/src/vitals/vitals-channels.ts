/**
 * The six vital-sign channels of the model input, in tensor order (docs/model/tensor-contract.md):
 * LOINC codes with their canonical UCUM units. Defined here until the shared domain constants land;
 * the order is part of the model contract and must not change.
 */
export interface VitalsChannel {
  /** LOINC code. */
  code: string;
  key: 'hr' | 'rr' | 'spo2' | 'temp' | 'sbp' | 'dbp';
  display: string;
  /** UCUM unit of the canonical value. */
  unit: string;
}

export const VITALS_CHANNELS: readonly VitalsChannel[] = [
  { code: '8867-4', key: 'hr', display: 'Heart rate', unit: '/min' },
  { code: '9279-1', key: 'rr', display: 'Respiratory rate', unit: '/min' },
  { code: '59408-5', key: 'spo2', display: 'Oxygen saturation by pulse oximetry', unit: '%' },
  { code: '8310-5', key: 'temp', display: 'Body temperature', unit: 'Cel' },
  { code: '8480-6', key: 'sbp', display: 'Systolic blood pressure', unit: 'mm[Hg]' },
  { code: '8462-4', key: 'dbp', display: 'Diastolic blood pressure', unit: 'mm[Hg]' },
];

export const VITALS_CHANNEL_COUNT = VITALS_CHANNELS.length;

const channelIndexByCode = new Map(VITALS_CHANNELS.map((channel, index) => [channel.code, index]));

/** Channel index of a LOINC code, or -1 when the code is not a model channel. */
export function vitalsChannelIndex(code: string): number {
  return channelIndexByCode.get(code) ?? -1;
}
