#!/usr/bin/env node
// Command-line entry to onnx-parity.ts, used by the Python pipeline:
//   node tools/training/node/onnx-check.js load DIR [DIR...]   every graph loads and runs (batch 1 and 3)
//   node tools/training/node/onnx-check.js parity DIR [DIR...] onnxruntime-node matches PyTorch's golden file
//   node tools/training/node/onnx-check.js manifest DIR [DIR...] manifest.json valid, file hashes match
// Prints one JSON report per directory to stdout; exit 0 when all pass, 1 on a failure, 2 on usage.
require('../../node/register.js');
const { checkModelLoads, checkParity } = require('./onnx-parity.ts');
const { checkManifest } = require('./manifest-check.ts');

async function main() {
  const [mode, ...dirs] = process.argv.slice(2);
  if (!['load', 'parity', 'manifest'].includes(mode) || dirs.length === 0) {
    process.stderr.write('usage: onnx-check.js load|parity|manifest DIR [DIR...]\n');
    return 2;
  }
  let ok = true;
  const reports = {};
  for (const dir of dirs) {
    const report =
      mode === 'load'
        ? await checkModelLoads(dir)
        : mode === 'parity'
          ? await checkParity(dir)
          : checkManifest(dir);
    reports[dir] = report;
    ok = ok && report.ok;
  }
  process.stdout.write(JSON.stringify({ mode, ok, reports }, null, 2) + '\n');
  return ok ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`${err && err.stack ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  },
);
