export * from './fusion.errors';
export * from './explanation/text-evidence';
export * from './explanation/image-evidence';
export * from './explanation/vitals-evidence';
export * from './explanation/explain-label';
export * from './evaluation/metrics';
export * from './evaluation/held-out-cohort';
