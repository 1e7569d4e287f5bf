import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { evaluateModel, writeEvaluationToModelFolder } from '@mosaic/fusion';
import { CliError, ExitCode, printJson, progress } from '../cli-error';

function positiveInteger(name: string, value: string): number {
  if (!/^[1-9]\d*$/.test(value))
    throw new CliError(`${name} must be a positive integer, got ${value}`, ExitCode.Usage);
  return Number(value);
}

/** `mosaic model ...` (docs/cli/model.md). */
export function registerModelCommands(program: Command): void {
  const model = program.command('model').description('model folders: evaluation on a held-out cohort');

  model
    .command('evaluate')
    .description('evaluate a model folder and its ablations on a held-out cohort through the serving path')
    .requiredOption('--model <dir>', 'model folder (manifest.json, ONNX graphs, ablations/)')
    .requiredOption(
      '--cohort <dir>',
      'held-out cohort written by `mosaic cohort generate` with an unseen seed',
    )
    .requiredOption('--out <file>', 'report.json to write (docs/evaluation.md)')
    .option('--batch-size <n>', 'rows per ONNX Runtime run', '32')
    .option('--threads <n>', 'intra-op threads per session', '1')
    .option(
      '--no-update-model',
      'do not write evaluation.json, evaluation.md and the model card into the model folder',
    )
    .action(
      async (opts: {
        model: string;
        cohort: string;
        out: string;
        batchSize: string;
        threads: string;
        updateModel: boolean;
      }) => {
        const batchSize = positiveInteger('--batch-size', opts.batchSize);
        const threads = positiveInteger('--threads', opts.threads);
        const report = await evaluateModel({
          modelDir: opts.model,
          cohortDir: opts.cohort,
          batchSize,
          session: { intraOpNumThreads: threads, interOpNumThreads: 1 },
          onProgress: progress,
        });
        await writeFile(opts.out, `${JSON.stringify(report, null, 2)}\n`);
        const written = opts.updateModel ? await writeEvaluationToModelFolder(report, opts.model) : null;
        if (report.model.smokeTest)
          progress('note: this is a smoke-test model; its figures are not meaningful');
        printJson({
          out: opts.out,
          model: { id: report.model.id, version: report.model.version },
          cohort: { seed: report.cohort.seed, patients: report.cohort.patients },
          summary: report.summary,
          goals: report.goals,
          modelFolder: written,
          seconds: report.timing.seconds,
        });
      },
    );
}
