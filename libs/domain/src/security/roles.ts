/** The four roles of ARCHITECTURE.md §Security baseline. */
export enum Role {
  Clinician = 'clinician',
  Auditor = 'auditor',
  Integration = 'integration',
  Admin = 'admin',
}

/** What a route may do; every route declares exactly one. */
export enum Permission {
  PatientRead = 'patient:read',
  PatientWrite = 'patient:write',
  ClinicalDataRead = 'clinical-data:read',
  ClinicalDataWrite = 'clinical-data:write',
  UserManage = 'user:manage',
  AuditRead = 'audit:read',
}

/**
 * Role → permissions. Clinicians read patient data; integrations ingest it (and read what they
 * wrote, so an EHR can reconcile); auditors read the audit trail; admins manage users.
 */
export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  [Role.Clinician]: [Permission.PatientRead, Permission.ClinicalDataRead],
  [Role.Integration]: [
    Permission.PatientRead,
    Permission.PatientWrite,
    Permission.ClinicalDataRead,
    Permission.ClinicalDataWrite,
  ],
  [Role.Auditor]: [Permission.AuditRead],
  [Role.Admin]: [Permission.UserManage, Permission.AuditRead],
};

export function rolesGrant(roles: readonly Role[], permission: Permission): boolean {
  return roles.some((role) => ROLE_PERMISSIONS[role]?.includes(permission));
}
