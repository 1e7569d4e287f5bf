import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import {
  closeCodecWorker,
  decodeAllFrames,
  decodeFrame,
  deidentify,
  DicomError,
  parseDicom,
  readImageMetadata,
  readMetadata,
  renderPng,
  toDisplay,
  writeNpy,
} from '@mosaic/dicom';
import type { DecodedFrame, SampleArray } from '@mosaic/dicom';
import { CliError, ExitCode, printJson, progress } from '../cli-error';

function readDicomFile(file: string) {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${(error as Error).message}`);
  }
  return parseDicom(bytes, { fileName: path.basename(file) });
}

function parseFrame(value: string | undefined): number {
  if (value === undefined) return 0;
  if (!/^\d+$/u.test(value))
    throw new CliError(`--frame must be a 0-based integer, got "${value}"`, ExitCode.Usage);
  return Number(value);
}

/** Turns library errors into one-line CLI failures and always stops the codec worker. */
async function run(action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (error) {
    if (error instanceof DicomError) throw new CliError(error.message);
    throw error;
  } finally {
    await closeCodecWorker();
  }
}

function stackFrames(frames: DecodedFrame[]): SampleArray {
  const first = frames[0].pixels;
  const out = new (first.constructor as new (n: number) => SampleArray)(first.length * frames.length);
  frames.forEach((f, i) => out.set(f.pixels, i * first.length));
  return out;
}

/** `mosaic dicom ...` (docs/cli/dicom.md) */
export function registerDicomCommands(program: Command): void {
  const dicom = program.command('dicom').description('read, decode, render and de-identify DICOM files');

  dicom
    .command('info')
    .description('print the typed metadata of a DICOM file as JSON')
    .argument('<file>')
    .action((file: string) =>
      run(async () => {
        printJson(readMetadata(readDicomFile(file)));
      }),
    );

  dicom
    .command('pixels')
    .description('write decoded stored values (before any LUT) as a NumPy .npy file')
    .argument('<file>')
    .option('--frame <n>', 'frame to decode, 0-based (default 0)')
    .option('--all', 'decode every frame: shape (frames, rows, cols[, 3])')
    .requiredOption('--out <file.npy>', 'output .npy path')
    .action((file: string, opts: { frame?: string; all?: boolean; out: string }) =>
      run(async () => {
        if (opts.all && opts.frame !== undefined)
          throw new CliError('use either --frame or --all', ExitCode.Usage);
        const ds = readDicomFile(file);
        const frames = opts.all ? await decodeAllFrames(ds) : [await decodeFrame(ds, parseFrame(opts.frame))];
        const f = frames[0];
        const shape = [f.rows, f.columns, ...(f.samplesPerPixel === 3 ? [3] : [])];
        const data = opts.all ? stackFrames(frames) : f.pixels;
        const fullShape = opts.all ? [frames.length, ...shape] : shape;
        writeFileSync(opts.out, writeNpy(data, fullShape));
        progress(`wrote ${opts.out}`);
        printJson({
          out: opts.out,
          dtype: data.constructor.name,
          shape: fullShape,
          photometricInterpretation: f.photometricInterpretation,
        });
      }),
    );

  dicom
    .command('render')
    .description('render a frame to PNG through the Modality and VOI LUTs')
    .argument('<file>')
    .option('--frame <n>', 'frame to render, 0-based (default 0)')
    .option(
      '--window <center,width>',
      "window centre and width; default: the file's, else from the histogram",
    )
    .requiredOption('--out <file.png>', 'output PNG path')
    .action((file: string, opts: { frame?: string; window?: string; out: string }) =>
      run(async () => {
        let window: { center: number; width: number } | undefined;
        if (opts.window !== undefined) {
          const [center, width] = opts.window.split(',').map(Number);
          if (!Number.isFinite(center) || !Number.isFinite(width) || width <= 0) {
            throw new CliError(
              `--window must be "center,width" with width > 0, got "${opts.window}"`,
              ExitCode.Usage,
            );
          }
          window = { center, width };
        }
        const ds = readDicomFile(file);
        const image = readImageMetadata(ds);
        if (!image) throw new CliError(`${file}: no image pixel module`);
        const frame = await decodeFrame(ds, parseFrame(opts.frame));
        const display = toDisplay(frame, image, { ds, window });
        writeFileSync(opts.out, renderPng(display));
        const voi =
          display.voi && display.voi.kind !== 'lut'
            ? {
                function: display.voi.kind,
                center: display.voi.center,
                width: display.voi.width,
                source: display.voi.source,
              }
            : display.voi
              ? { function: 'lut', source: display.voi.source }
              : undefined;
        printJson({ out: opts.out, frame: frame.index, rows: frame.rows, columns: frame.columns, voi });
      }),
    );

  dicom
    .command('deid')
    .description('de-identify per DICOM PS3.15 Annex E Basic Profile (dates shifted per patient)')
    .argument('<in>')
    .argument('<out>')
    .option('--secret <key>', 'key for pseudonyms, UIDs and date shifts (default: MOSAIC_DEID_SECRET)')
    .action((input: string, output: string, opts: { secret?: string }) =>
      run(async () => {
        let secret = opts.secret ?? process.env.MOSAIC_DEID_SECRET;
        if (!secret) {
          secret = randomBytes(32).toString('hex');
          progress(
            'no --secret or MOSAIC_DEID_SECRET: using a random key, so UIDs and dates are consistent only within this run',
          );
        }
        const result = deidentify(readDicomFile(input), { secret });
        writeFileSync(output, result.bytes);
        printJson({
          out: output,
          transferSyntaxUid: result.transferSyntaxUid,
          patientPseudonym: result.patientPseudonym,
          dateShiftDays: result.dateShiftDays,
        });
      }),
    );
}
