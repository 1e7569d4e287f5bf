export * from './fusion.errors';
export * from './evaluation/held-out-cohort';
