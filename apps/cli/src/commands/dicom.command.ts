import type { Command } from 'commander';

/** `mosaic dicom ...` */
export function registerDicomCommands(program: Command): void {
  program.command('dicom').description('dicom commands');
}
