import { InitialSchema1795989412109 } from './1795989412109-initial-schema';

/** Every migration, oldest first. The only way the schema changes (STYLE.md §Persistence). */
export const MIGRATIONS = [InitialSchema1795989412109];
