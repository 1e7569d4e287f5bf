import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** docs/benchmarks.md, which every `npm run bench:*` script writes one section of. */
export const BENCHMARKS_DOC = join(__dirname, '..', '..', 'docs', 'benchmarks.md');

/**
 * Replaces the section that starts with `heading` (e.g. `## Ingestion`) up to the next `## `
 * heading with `text`, keeping every other section as it is; appends it when it is not there yet.
 * `file` is docs/benchmarks.md unless a script is told to write elsewhere.
 */
export function writeBenchmarkSection(heading: string, text: string, file = BENCHMARKS_DOC): void {
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  const escaped = heading.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const start = current.search(new RegExp(`^${escaped}\\s*$`, 'm'));
  let next: string;
  if (start < 0) {
    next = `${current.trimEnd()}\n\n${text}`;
  } else {
    const rest = current.slice(start + 1).search(/^## /m);
    const end = rest < 0 ? current.length : start + 1 + rest;
    next = `${current.slice(0, start)}${text.trimEnd()}${end < current.length ? `\n\n${current.slice(end)}` : ''}`;
  }
  writeFileSync(file, `${next.trimEnd()}\n`);
}
