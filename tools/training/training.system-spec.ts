// Training smoke test (issue: the Python side must not rot): a 64-patient run of the whole pipeline
// on a fake export must lower the training loss, export ONNX that onnxruntime-node loads and that
// matches PyTorch within 1e-4, and package a manifest that validates. Needs Debian's python3-torch
// and python3-onnx (tools/install-system-deps.sh), hence a system spec.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const PYTHON = '/usr/bin/python3';
const HERE = resolve(__dirname);

// onnxruntime-node returns typed arrays from Node's own realm, which fail the instanceof checks
// inside Jest's sandbox, so the ONNX checks run in a plain Node child process.
function onnxCheck(
  mode: 'load' | 'parity' | 'manifest',
  dirs: string[],
): { ok: boolean; reports: Record<string, { failures: string[] }> } {
  const r = spawnSync(process.execPath, [join(HERE, 'node', 'onnx-check.js'), mode, ...dirs], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0 && r.status !== 1) throw new Error(`onnx-check ${mode} failed:\n${r.stderr}`);
  return JSON.parse(r.stdout) as { ok: boolean; reports: Record<string, { failures: string[] }> };
}

function python(args: string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(PYTHON, args, {
    cwd,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, OMP_NUM_THREADS: '2' },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('model training pipeline (smoke)', () => {
  let work: string;

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'mosaic-train-'));
  });

  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
  });

  it('passes the Python unit tests', () => {
    const r = python(['-m', 'unittest', 'discover', '-s', 'tests', '-t', '.'], HERE);
    expect(r.stderr).toMatch(/\nOK\b/);
    expect(r.status).toBe(0);
  });

  it('trains 64 patients with a falling loss and packages a model onnxruntime-node runs', () => {
    const r = python([join(HERE, 'pipeline.py'), '--smoke', '--work', work], HERE);
    if (r.status !== 0) throw new Error(`pipeline failed (${String(r.status)}):\n${r.stderr.slice(-4000)}`);
    const summary = JSON.parse(r.stdout) as { ok: boolean; model: string; onnxBytes: number };
    expect(summary.ok).toBe(true);
    expect(summary.onnxBytes).toBeLessThanOrEqual(20 * 1024 * 1024);

    const history = JSON.parse(readFileSync(join(work, 'runs', 'fusion', 'train_result.json'), 'utf8')) as {
      history: { first_step_loss: number; train_loss: number }[];
    };
    const first = history.history[0].first_step_loss;
    const last = history.history[history.history.length - 1].train_loss;
    expect(last).toBeLessThan(first);

    const dirs = [
      summary.model,
      ...['text_only', 'image_only', 'vitals_only'].map((a) => join(summary.model, 'ablations', a)),
    ];
    for (const mode of ['manifest', 'load', 'parity'] as const) {
      const report = onnxCheck(mode, mode === 'manifest' ? [summary.model] : dirs);
      expect(Object.values(report.reports).flatMap((x) => x.failures)).toEqual([]);
      expect(report.ok).toBe(true);
    }
  });
});
