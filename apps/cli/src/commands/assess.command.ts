import type { Command } from 'commander';
import { CliError, ExitCode, printJson, progress } from '../cli-error';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

interface AssessOptions {
  asOf?: string;
  server: string;
  modelVersion?: string;
  noteId?: string;
  imageId?: string;
}

/**
 * `mosaic assess PATIENT [--as-of T]` — runs an assessment through a running server's HTTP API
 * (POST /api/v1/patients/:id/assessments) with the token in MOSAIC_TOKEN, and prints the recorded
 * assessment as JSON. The server owns the embedded database and the loaded model, so the CLI never
 * opens either itself (ARCHITECTURE.md §PGlite); PATIENT is a patient id or an MRN.
 */
export function registerAssessCommands(program: Command): void {
  program
    .command('assess')
    .description(
      'assess a patient (latest note, image and 48 h of vitals) through a running server; JSON on stdout',
    )
    .argument('<patient>', 'patient id (UUID) or MRN')
    .option('--as-of <instant>', 'clinical time to assess at, ISO 8601 with offset (default: now)')
    .option('--server <url>', 'the Mosaic server (MOSAIC_SERVER, default http://localhost:3000)')
    .option('--model-version <version>', 'run this model version instead of the active one')
    .option('--note-id <uuid>', 'use this note instead of the latest')
    .option('--image-id <uuid>', 'use this image instead of the latest applicable one')
    .action(async (patient: string, options: Omit<AssessOptions, 'server'> & { server?: string }) => {
      if (
        options.asOf !== undefined &&
        (!INSTANT.test(options.asOf) || Number.isNaN(Date.parse(options.asOf)))
      ) {
        throw new CliError(
          '--as-of must be an ISO 8601 date-time with an offset, e.g. 2024-03-15T10:15:00Z',
          ExitCode.Usage,
        );
      }
      const server = options.server ?? process.env.MOSAIC_SERVER ?? 'http://localhost:3000';
      printJson(await assessThroughServer(patient, { ...options, server }));
    });
}

async function assessThroughServer(patient: string, options: AssessOptions): Promise<unknown> {
  const token = process.env.MOSAIC_TOKEN;
  if (!token) {
    throw new CliError(
      'mosaic assess needs MOSAIC_TOKEN (see mosaic token --user <clinician>)',
      ExitCode.Usage,
    );
  }
  let base: URL;
  try {
    base = new URL('/api/v1/', options.server);
  } catch {
    throw new CliError(`--server ${options.server} is not a URL`, ExitCode.Usage);
  }
  const call = async (method: string, path: string, body?: unknown): Promise<Response> => {
    try {
      return await fetch(new URL(path, base), {
        method,
        headers: {
          Authorization: `Bearer ${token}`,
          ...(body ? { 'Content-Type': 'application/json' } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
      });
    } catch (error) {
      throw new CliError(
        `no Mosaic server answers at ${base.origin} (${(error as Error).message}); start it with npm start or pass --server`,
      );
    }
  };
  let patientId = patient;
  if (!UUID.test(patient)) {
    const found = await call('GET', `patients?mrn=${encodeURIComponent(patient)}&limit=2`);
    if (!found.ok) throw new CliError(`${base.origin} answered ${found.status}: ${await found.text()}`);
    const page = (await found.json()) as { items: { id: string }[] };
    if (page.items.length !== 1) {
      throw new CliError(`${page.items.length === 0 ? 'no' : 'more than one'} patient has MRN ${patient}`);
    }
    patientId = page.items[0].id;
  }
  progress(`assessing patient ${patientId} on ${base.origin}`);
  const response = await call('POST', `patients/${patientId}/assessments`, {
    ...(options.asOf ? { asOf: options.asOf } : {}),
    ...(options.modelVersion ? { modelVersion: options.modelVersion } : {}),
    ...(options.noteId ? { noteId: options.noteId } : {}),
    ...(options.imageId ? { imageId: options.imageId } : {}),
  });
  if (!response.ok) {
    const retry = response.headers.get('retry-after');
    throw new CliError(
      `${base.origin} answered ${response.status}${retry ? ` (retry after ${retry} s)` : ''}: ${await response.text()}`,
    );
  }
  return response.json();
}
