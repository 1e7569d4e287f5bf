export * from './records/clinical-record';
export * from './patients/patient';
export * from './vitals/vital-signs';
export * from './security/roles';
