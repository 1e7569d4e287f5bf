import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VITAL_SIGNS } from '@mosaic/domain';

const DOC = readFileSync(join(__dirname, '..', '..', 'docs', 'ingest.md'), 'utf8');

function section(title: string): string {
  const start = DOC.indexOf(`## ${title}`);
  if (start < 0) throw new Error(`docs/ingest.md has no "## ${title}" section`);
  const end = DOC.indexOf('\n## ', start + 3);
  return DOC.slice(start, end < 0 ? undefined : end);
}

/** The titles of every end-to-end test in this folder, read from the sources. */
function testTitles(): string[] {
  return readdirSync(__dirname)
    .filter((name) => name.endsWith('.e2e-spec.ts'))
    .flatMap((name) =>
      [...readFileSync(join(__dirname, name), 'utf8').matchAll(/^\s*it\((['"])(.+?)\1,/gm)].map(
        (match) => match[2],
      ),
    );
}

describe('docs/ingest.md', () => {
  it('has one end-to-end test named after every decision-table row, and a row for every status test', () => {
    const rows = [...section('Decision table').matchAll(/^\|\s*`(.+?)`\s*\|/gm)].map((match) => match[1]);
    const titles = testTitles();
    expect(rows.length).toBeGreaterThan(30);
    expect(rows.filter((row) => !titles.includes(row))).toEqual([]);
    expect(titles.filter((title) => title.includes('→') && !rows.includes(title))).toEqual([]);
  });

  it('lists exactly the accepted UCUM spellings of VITAL_SIGNS for each LOINC code', () => {
    const documented = section('Accepted UCUM spellings')
      .split('\n')
      .map((line) => line.split('|').map((cell) => cell.trim()))
      .filter((cells) => /^\d+-\d$/.test(cells[1] ?? ''))
      .map(([, code, display, canonical, spellings, range]) => ({
        code,
        display,
        canonical: canonical.replace(/`/g, ''),
        spellings: [...spellings.matchAll(/`(.+?)`/g)].map((match) => match[1]),
        range,
      }));
    expect(documented).toEqual(
      VITAL_SIGNS.map((definition) => ({
        code: definition.code,
        display: definition.display,
        canonical: definition.canonicalUnit,
        spellings: definition.acceptedUnits.map((unit) => unit.spelling),
        range: `${definition.physiologicalRange.min}–${definition.physiologicalRange.max}`,
      })),
    );
  });
});
