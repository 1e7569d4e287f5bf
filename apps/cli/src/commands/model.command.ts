import type { Command } from 'commander';

/** `mosaic model ...` */
export function registerModelCommands(program: Command): void {
  program.command('model').description('model commands');
}
