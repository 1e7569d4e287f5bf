import type { Command } from 'commander';

/** `mosaic database ...` */
export function registerDatabaseCommands(program: Command): void {
  program.command('database').description('database commands');
}
