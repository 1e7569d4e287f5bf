import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { buildProgram } from './main';

/** Every leaf command, as `mosaic group sub`. */
function leafCommands(command: Command, prefix: string[] = []): string[] {
  const path = [...prefix, command.name()];
  const children = command.commands.filter((child) => child.name() !== 'help');
  return children.length === 0 ? [path.join(' ')] : children.flatMap((child) => leafCommands(child, path));
}

describe('docs/cli.md (ARCHITECTURE.md §CLI: every command is documented)', () => {
  const docs = join(__dirname, '..', '..', '..', 'docs');
  const index = readFileSync(join(docs, 'cli.md'), 'utf8');
  const commands = leafCommands(buildProgram());

  it('finds the command groups', () => {
    expect(commands).toEqual(
      expect.arrayContaining(['mosaic token', 'mosaic database migrate', 'mosaic dicom info']),
    );
  });

  it.each(commands)('lists `%s` in the table of every command', (command) => {
    expect(index).toContain(`| \`${command}`);
  });

  it.each(commands.filter((command) => command.split(' ').length > 2))(
    'documents `%s` in its group page',
    (command) => {
      const groupPage = join(docs, 'cli', `${command.split(' ')[1]}.md`);
      const page = existsSync(groupPage) ? readFileSync(groupPage, 'utf8') : index;
      expect(page).toMatch(new RegExp(`^#{2,4} \`?${command.replace(/ /g, ' ')}\\b`, 'm'));
    },
  );
});
