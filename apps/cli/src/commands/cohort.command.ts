import type { Command } from 'commander';

/** `mosaic cohort ...` */
export function registerCohortCommands(program: Command): void {
  program.command('cohort').description('cohort commands');
}
