/**
 * Writes a new migration holding whatever SQL brings the schema in line with the entities.
 * Usage: npm run migration:generate -- <PascalCaseName>
 * Runs against a throw-away embedded database, so it needs no server.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, runMigrations } from '@mosaic/persistence';

async function main(): Promise<void> {
  const name = process.argv[2];
  if (!name || !/^[A-Z][A-Za-z0-9]+$/.test(name)) {
    process.stderr.write('usage: npm run migration:generate -- <PascalCaseName>\n');
    process.exitCode = 2;
    return;
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'mosaic-migration-'));
  const database = await openDatabase({ dataDir, purpose: 'migration:generate' });
  try {
    await runMigrations(database.dataSource);
    const sql = await database.dataSource.driver.createSchemaBuilder().log();
    if (sql.upQueries.length === 0) {
      process.stderr.write('entities and migrations agree: nothing to generate\n');
      return;
    }
    const timestamp = Date.now();
    const className = `${name}${timestamp}`;
    const fileBase = `${timestamp}-${name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase()}`;
    const render = (queries: { query: string }[]): string =>
      queries.map((q) => `    await queryRunner.query(${JSON.stringify(q.query)});`).join('\n');
    const source = `import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ${className} implements MigrationInterface {
  name = '${className}';

  async up(queryRunner: QueryRunner): Promise<void> {
${render(sql.upQueries)}
  }

  async down(queryRunner: QueryRunner): Promise<void> {
${render([...sql.downQueries].reverse())}
  }
}
`;
    const path = join(__dirname, '..', '..', 'migrations', `${fileBase}.ts`);
    writeFileSync(path, source);
    process.stderr.write(`wrote migrations/${fileBase}.ts; add ${className} to migrations/index.ts\n`);
  } finally {
    await database.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

void main();
