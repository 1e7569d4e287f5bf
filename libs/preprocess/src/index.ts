export * from './preprocess.errors';
export * from './text/wordpiece-tokenizer';
export * from './vitals/vitals-channels';
export * from './vitals/vitals-resampler';
export * from './image/prepare-image';
