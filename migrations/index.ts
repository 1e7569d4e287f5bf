import { InitialSchema1795989412109 } from './1795989412109-initial-schema';
import { AuditChain1795990312679 } from './1795990312679-audit-chain';
import { Assessments1795992902497 } from './1795992902497-assessments';
import { Reviews1795999797564 } from './1795999797564-reviews';
import { AssessmentsAssessedIndex1796016393885 } from './1796016393885-assessments-assessed-index';

/** Every migration, oldest first. The only way the schema changes (STYLE.md §Persistence). */
export const MIGRATIONS = [
  InitialSchema1795989412109,
  AuditChain1795990312679,
  Assessments1795992902497,
  Reviews1795999797564,
  AssessmentsAssessedIndex1796016393885,
];
