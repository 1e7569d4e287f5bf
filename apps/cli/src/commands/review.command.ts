import type { Command } from 'commander';
import { CliError, ExitCode, printJson, progress } from '../cli-error';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EVIDENCE = /^([a-z0-9_]{1,60}):(text|image|vitals|modalityShare):(\d{1,7})$/;

interface ServerOptions {
  server?: string;
}

/**
 * `mosaic review list|record|history|summary` — the explanation review workflow
 * (docs/assessments.md §Review) through a running server's HTTP API, with an auditor's token in
 * MOSAIC_TOKEN. Like `mosaic assess`, it never opens the database: the server owns it.
 */
export function registerReviewCommands(program: Command): void {
  const review = program
    .command('review')
    .description("review assessment explanations through a running server (an auditor's MOSAIC_TOKEN)");
  const withServer = (command: Command): Command =>
    command.option('--server <url>', 'the Mosaic server (MOSAIC_SERVER, default http://localhost:3000)');

  withServer(
    review
      .command('list')
      .description('assessments newest first, filtered; JSON page on stdout')
      .option('--label <slug>', 'only where this label is above its decision threshold')
      .option('--model-version <version>', 'only this model version')
      .option('--from <instant>', 'assessed at or after (ISO 8601 with offset)')
      .option('--to <instant>', 'assessed before (ISO 8601 with offset)')
      .option('--status <status>', 'unreviewed, plausible, implausible or uncertain (the latest review)')
      .option('--limit <n>', 'page size, 1–1000', '100')
      .option('--offset <n>', 'items to skip', '0'),
  ).action(
    async (
      options: ServerOptions & {
        label?: string;
        modelVersion?: string;
        from?: string;
        to?: string;
        status?: string;
        limit: string;
        offset: string;
      },
    ) => {
      const query = new URLSearchParams({ limit: options.limit, offset: options.offset });
      if (options.label) query.set('label', options.label);
      if (options.modelVersion) query.set('modelVersion', options.modelVersion);
      if (options.from) query.set('from', options.from);
      if (options.to) query.set('to', options.to);
      if (options.status) query.set('reviewStatus', options.status);
      printJson(await callServer(options, 'GET', `assessments?${query}`));
    },
  );

  withServer(
    review
      .command('record')
      .description('record a review of an assessment; it supersedes any earlier one; the review on stdout')
      .argument('<assessment>', 'assessment id (UUID)')
      .requiredOption('--verdict <verdict>', 'plausible, implausible or uncertain')
      .option('--comment <text>', 'why (required when implausible)')
      .option(
        '--disagree <label:kind:index>',
        'evidence you disagree with, e.g. pneumonia:image:7 (kind: text, image, vitals, modalityShare); repeatable',
        (value: string, previous: string[]) => [...previous, value],
        [] as string[],
      ),
  ).action(
    async (
      assessment: string,
      options: ServerOptions & { verdict: string; comment?: string; disagree: string[] },
    ) => {
      requireUuid(assessment);
      const disagreements = options.disagree.map((reference) => {
        const match = EVIDENCE.exec(reference);
        if (!match) {
          throw new CliError(
            `--disagree ${reference} must be label:kind:index, e.g. pneumonia:image:7 (kind: text, image, vitals, modalityShare)`,
            ExitCode.Usage,
          );
        }
        return { label: match[1], kind: match[2], index: Number(match[3]) };
      });
      progress(`recording the review (${options.verdict}) of assessment ${assessment}`);
      printJson(
        await callServer(options, 'POST', `assessments/${assessment}/reviews`, {
          verdict: options.verdict,
          ...(options.comment !== undefined ? { comment: options.comment } : {}),
          disagreements,
        }),
      );
    },
  );

  withServer(
    review
      .command('history')
      .description("an assessment's reviews, newest first, and its review status")
      .argument('<assessment>', 'assessment id (UUID)'),
  ).action(async (assessment: string, options: ServerOptions) => {
    requireUuid(assessment);
    printJson(await callServer(options, 'GET', `assessments/${assessment}/reviews`));
  });

  withServer(
    review
      .command('summary')
      .description('share of plausible latest reviews per label and per model version')
      .option('--model-version <version>', 'only this model version')
      .option('--from <instant>', 'assessed at or after (ISO 8601 with offset)')
      .option('--to <instant>', 'assessed before (ISO 8601 with offset)'),
  ).action(async (options: ServerOptions & { modelVersion?: string; from?: string; to?: string }) => {
    const query = new URLSearchParams();
    if (options.modelVersion) query.set('modelVersion', options.modelVersion);
    if (options.from) query.set('from', options.from);
    if (options.to) query.set('to', options.to);
    printJson(await callServer(options, 'GET', `reviews/summary?${query}`));
  });
}

function requireUuid(assessment: string): void {
  if (!UUID.test(assessment))
    throw new CliError(`${assessment} is not an assessment id (UUID)`, ExitCode.Usage);
}

/**
 * One call to the server's API. A 400 is the server's verdict on the arguments (exit 2); any other
 * refusal is a failure (exit 1). The problem document goes to stderr either way.
 */
async function callServer(
  options: ServerOptions,
  method: string,
  path: string,
  body?: unknown,
): Promise<unknown> {
  const token = process.env.MOSAIC_TOKEN;
  if (!token) {
    throw new CliError(
      'mosaic review needs MOSAIC_TOKEN (see mosaic token --user <auditor>)',
      ExitCode.Usage,
    );
  }
  const server = options.server ?? process.env.MOSAIC_SERVER ?? 'http://localhost:3000';
  let base: URL;
  try {
    base = new URL('/api/v1/', server);
  } catch {
    throw new CliError(`--server ${server} is not a URL`, ExitCode.Usage);
  }
  let response: Response;
  try {
    response = await fetch(new URL(path, base), {
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
  if (!response.ok) {
    throw new CliError(
      `${base.origin} answered ${response.status}: ${await response.text()}`,
      response.status === 400 ? ExitCode.Usage : ExitCode.Failure,
    );
  }
  return response.json();
}
