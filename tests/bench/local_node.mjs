#!/usr/bin/env node
// The Node side of tests/bench/local_bench.sh: one text-classification with @huggingface/transformers,
// loaded as workers/transformers_js.mjs loads it (the package's node/import entry from RUNTIME_DIR's
// node_modules; allowRemoteModels false, allowLocalModels, localModelPath the model's parent,
// useBrowserCache false; pipeline(task, absolute folder, {dtype fp32, device cpu, local_files_only})),
// then the result printed as JSON on stdout.
//
//   node tests/bench/local_node.mjs RUNTIME_DIR MODEL_DIR TEXT [--stage import|load|run]
// --stage stops after that step (default run): the bench's breakdown of where a whole run goes.

import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [runtimeDir, modelArg, text, stageFlag, stageArg] = process.argv.slice(2);
if (!runtimeDir || !modelArg || text === undefined) {
  process.stderr.write('usage: node local_node.mjs RUNTIME_DIR MODEL_DIR TEXT [--stage import|load|run]\n');
  process.exit(2);
}
const stage = stageFlag === '--stage' ? stageArg : 'run';

const root = path.join(path.resolve(runtimeDir), 'node_modules', '@huggingface', 'transformers');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const entry = pkg.exports?.node?.import?.default ?? pkg.module ?? pkg.main;
const { env, pipeline } = await import(pathToFileURL(path.join(root, entry)).href);
if (stage === 'import') {
  process.exit(0);
}

const modelDir = path.resolve(modelArg);
env.allowRemoteModels = false;
env.allowLocalModels = true;
env.localModelPath = path.dirname(modelDir);
env.useBrowserCache = false;
const classify = await pipeline('text-classification', modelDir, {
  dtype: 'fp32',
  device: 'cpu',
  local_files_only: true,
});
if (stage === 'load') {
  process.exit(0);
}

const result = await classify(text);
process.stdout.write(`${JSON.stringify(result)}\n`);
