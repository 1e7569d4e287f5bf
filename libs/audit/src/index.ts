export * from './audit.errors';
export * from './canonical/canonical-json';
export * from './chain/audit-entry';
export * from './chain/audit-chain';
export * from './chain/audit-chain-verifier';
export * from './chain/checkpoint-signer';
export * from './fhir/fhir-audit-event';
export * from './fhir/audit-entry-reader';
