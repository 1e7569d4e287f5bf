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
  AssessmentRun = 'assessment:run',
  AssessmentRead = 'assessment:read',
  ModelRead = 'model:read',
  ModelManage = 'model:manage',
  ReviewRead = 'review:read',
  ReviewWrite = 'review:write',
}

/**
 * Role → permissions. Clinicians read patient data and run and read assessments; integrations
 * ingest data (and read what they wrote, so an EHR can reconcile) and run assessments; auditors
 * read the audit trail and assessments (and replay them), list assessments across patients with
 * their review status, and review explanations; admins manage users and models. Every
 * role sees the model list, whose cards carry the NOT FOR CLINICAL USE notice.
 */
export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  [Role.Clinician]: [
    Permission.PatientRead,
    Permission.ClinicalDataRead,
    Permission.AssessmentRun,
    Permission.AssessmentRead,
    Permission.ModelRead,
  ],
  [Role.Integration]: [
    Permission.PatientRead,
    Permission.PatientWrite,
    Permission.ClinicalDataRead,
    Permission.ClinicalDataWrite,
    Permission.AssessmentRun,
    Permission.ModelRead,
  ],
  [Role.Auditor]: [
    Permission.AuditRead,
    Permission.AssessmentRead,
    Permission.ModelRead,
    Permission.ReviewRead,
    Permission.ReviewWrite,
  ],
  [Role.Admin]: [Permission.UserManage, Permission.AuditRead, Permission.ModelRead, Permission.ModelManage],
};

export function rolesGrant(roles: readonly Role[], permission: Permission): boolean {
  return roles.some((role) => ROLE_PERMISSIONS[role]?.includes(permission));
}
