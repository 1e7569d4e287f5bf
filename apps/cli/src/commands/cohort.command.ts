import type { Command } from 'commander';
import { exportCohort, generateCohort } from '@mosaic/cohort';
import { CliError, ExitCode, printJson, progress } from '../cli-error';

function integer(name: string, value: string): number {
  if (!/^\d+$/.test(value))
    throw new CliError(`${name} must be a non-negative integer, got ${value}`, ExitCode.Usage);
  return Number(value);
}

/** Progress lines every `step` items and at the end, with the elapsed time. */
function reporter(what: string, step: number): (done: number, total: number) => void {
  const started = Date.now();
  return (done, total) => {
    if (done % step === 0 || done === total) {
      progress(`${what}: ${done}/${total} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    }
  };
}

/** `mosaic cohort ...`: the seeded synthetic cohort (docs/cli/cohort.md). */
export function registerCohortCommands(program: Command): void {
  const cohort = program
    .command('cohort')
    .description('synthetic multimodal cohort: generate and export model tensors');

  cohort
    .command('generate')
    .description('generate a seeded synthetic cohort (notes, DICOM images, vitals, ground truth)')
    .requiredOption('--patients <n>', 'number of patients')
    .requiredOption('--seed <s>', 'seed (non-negative integer)')
    .requiredOption('--out <dir>', 'output directory (must be new or empty)')
    .action(async (opts: { patients: string; seed: string; out: string }) => {
      const patients = integer('--patients', opts.patients);
      if (patients < 1) throw new CliError('--patients must be at least 1', ExitCode.Usage);
      const started = Date.now();
      const manifest = await generateCohort({
        patients,
        seed: integer('--seed', opts.seed),
        out: opts.out,
        onProgress: reporter('generated', 100),
      });
      printJson({
        out: opts.out,
        generatorVersion: manifest.generatorVersion,
        seed: manifest.seed,
        patients: manifest.patients,
        groundTruthDigest: manifest.groundTruthDigest,
        contentDigest: manifest.contentDigest,
        counts: manifest.counts,
        seconds: Number(((Date.now() - started) / 1000).toFixed(1)),
      });
    });

  cohort
    .command('export')
    .description('write model-ready tensors (.npy + index.json) per docs/model/tensor-contract.md')
    .argument('<dir>', 'cohort directory written by `mosaic cohort generate`')
    .requiredOption('--out <dir>', 'output directory')
    .option('--vocab <file>', 'reuse this vocab.txt instead of building one from the train rows')
    .option(
      '--vitals-stats <file>',
      'reuse this vitals-stats.json instead of computing it from the train rows',
    )
    .action(async (dir: string, opts: { out: string; vocab?: string; vitalsStats?: string }) => {
      const started = Date.now();
      const summary = await exportCohort({
        cohortDir: dir,
        out: opts.out,
        vocabFile: opts.vocab,
        vitalsStatsFile: opts.vitalsStats,
        onProgress: reporter('exported', 250),
      });
      printJson({ ...summary, seconds: Number(((Date.now() - started) / 1000).toFixed(1)) });
    });
}
