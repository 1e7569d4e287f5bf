import type { Command } from 'commander';
import { registerDicomCommands } from './dicom.command';
import { registerCohortCommands } from './cohort.command';
import { registerModelCommands } from './model.command';
import { registerDatabaseCommands } from './database.command';
import { registerTokenCommands } from './token.command';
import { registerAuditCommands } from './audit.command';
import { registerAssessCommands } from './assess.command';
import { registerReviewCommands } from './review.command';

/** Every command group of the `mosaic` CLI; docs/cli.md documents each one. */
export function registerCommands(program: Command): void {
  registerDatabaseCommands(program);
  registerTokenCommands(program);
  registerDicomCommands(program);
  registerCohortCommands(program);
  registerModelCommands(program);
  registerAuditCommands(program);
  registerAssessCommands(program);
  registerReviewCommands(program);
}
