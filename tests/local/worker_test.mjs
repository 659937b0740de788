// The `hfrun local` workers (workers/*.mjs) on the tiny real models of make_tiny_models.py: every route,
// the reply shapes the C++ endpoint backend reads, the errors, the port file, shutdown and start-up time.
//
//   node tests/local/worker_test.mjs          (after tests/local/setup.sh)
//
// Exits 77 (ctest's SKIP_RETURN_CODE) with the reason on stdout when the npm packages or python3's onnx
// and numpy are missing.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const workers = path.join(root, 'workers');
const python = process.env.HFRUN_TEST_PYTHON ?? '/usr/bin/python3';
// Workers start and answer within this; the tiny models load in well under a second.
const START_LIMIT_MS = 15000;

function skip(reason) {
  console.log(`local_workers: skipped: ${reason}`);
  process.exit(77);
}

for (const pkg of ['@huggingface/transformers', 'node-llama-cpp', '@node-llama-cpp/linux-x64']) {
  if (!fs.existsSync(path.join(here, 'node_modules', pkg, 'package.json'))) {
    skip(`${pkg} is not installed (run tests/local/setup.sh)`);
  }
}
if (spawnSync(python, ['-c', 'import onnx, numpy'], { stdio: 'ignore' }).status !== 0) {
  skip(`${python} lacks onnx or numpy (apt-get install python3-onnx python3-numpy)`);
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hfrun-local-'));
const models = path.join(work, 'models');
const made = spawnSync(python, [path.join(here, 'make_tiny_models.py'), models], { encoding: 'utf8' });
if (made.status !== 0) {
  console.error(made.stderr);
  throw new Error('make_tiny_models.py failed');
}
const textModel = path.join(models, 'text-classifier');
const imageModel = path.join(models, 'image-classifier');

// The models as `hfrun local` finds them in the Hugging Face cache: snapshot files are relative
// symlinks into blobs/.
function hfCacheSnapshot(repo, source) {
  const repoDir = path.join(work, 'hub', `models--hfrun--${repo}`);
  const snapshot = path.join(repoDir, 'snapshots', '0123456789abcdef0123456789abcdef01234567');
  const files = fs.statSync(source).isDirectory()
    ? fs.readdirSync(source, { recursive: true }).filter((f) => fs.statSync(path.join(source, f)).isFile())
    : [path.basename(source)];
  fs.mkdirSync(path.join(repoDir, 'blobs'), { recursive: true });
  files.forEach((file, i) => {
    const from = fs.statSync(source).isDirectory() ? path.join(source, file) : source;
    const blob = path.join(repoDir, 'blobs', `blob${i}`);
    fs.copyFileSync(from, blob);
    const link = path.join(snapshot, file);
    fs.mkdirSync(path.dirname(link), { recursive: true });
    fs.symlinkSync(path.relative(path.dirname(link), blob), link);
  });
  return fs.statSync(source).isDirectory() ? snapshot : path.join(snapshot, files[0]);
}
const snapshotTextModel = hfCacheSnapshot('text-classifier', textModel);
const gguf = hfCacheSnapshot('tiny-llama', path.join(models, 'tiny-llama.gguf'));
const readJson = (file) => JSON.parse(fs.readFileSync(file, 'utf8'));
const textLabels = Object.values(readJson(path.join(textModel, 'config.json')).id2label);
const textHidden = readJson(path.join(textModel, 'config.json')).hidden_size;
const imageLabels = Object.values(readJson(path.join(imageModel, 'config.json')).id2label);
const png = (name) => fs.readFileSync(path.join(models, 'images', `${name}.png`));

// ---------------------------------------------------------------------------------------------------
// Harness

const results = [];
const children = new Set();

async function check(name, fn) {
  try {
    await fn();
    results.push(true);
    console.log(`ok - ${name}`);
  } catch (e) {
    results.push(false);
    console.log(`not ok - ${name}\n  ${String(e?.stack ?? e).split('\n').slice(0, 6).join('\n  ')}`);
  }
}

// Starts a worker; resolves once it printed its ready line, with the child, the port and the time
// from spawn to ready.
function startWorker(script, args, label) {
  const portFile = path.join(work, `${label}.port`);
  const started = performance.now();
  const child = spawn(process.execPath, [path.join(workers, script), ...args, '--runtime-dir', here, '--port-file', portFile], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  child.exited = exited;
  child.stderrText = () => stderr;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${label}: no ready line in ${START_LIMIT_MS * 2} ms; stderr: ${stderr}`)), START_LIMIT_MS * 2);
    child.stdout.on('data', (d) => {
      stdout += d;
      const nl = stdout.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        const ready = JSON.parse(stdout.slice(0, nl));
        resolve({ child, ready, portFile, startMs: performance.now() - started, base: `http://127.0.0.1:${ready.port}` });
      }
    });
    exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`${label} exited ${code} before it was ready; stderr: ${stderr}`));
    });
  });
}

async function post(base, route, body, headers = { 'content-type': 'application/json' }) {
  const res = await fetch(base + route, {
    method: 'POST',
    headers,
    body: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, type: res.headers.get('content-type') ?? '', text, json };
}

async function get(base, route) {
  const res = await fetch(base + route);
  return { status: res.status, json: await res.json() };
}

// The data: lines of an SSE reply, JSON-parsed except the final [DONE].
function sseEvents(text) {
  return text
    .split('\n')
    .filter((line) => line.startsWith('data: '))
    .map((line) => line.slice(6))
    .map((data) => (data === '[DONE]' ? data : JSON.parse(data)));
}

const isLabelList = (list, labels) =>
  Array.isArray(list) &&
  list.every((x) => typeof x.label === 'string' && labels.includes(x.label) && typeof x.score === 'number' && x.score >= 0 && x.score <= 1);

async function expectBadRequest(reply) {
  assert.equal(reply.status, 400, reply.text);
  assert.equal(typeof reply.json?.error, 'string', reply.text);
}

async function stop(worker) {
  worker.child.kill('SIGTERM');
  const { code, signal } = await worker.child.exited;
  children.delete(worker.child);
  return { code, signal };
}

const startTimes = [];

// ---------------------------------------------------------------------------------------------------
// transformers.js

async function textClassification() {
  const w = await startWorker('transformers_js.mjs', ['--model-dir', textModel, '--task', 'text-classification'], 'text-cls');
  startTimes.push(['transformers.js text-classification', w.startMs]);

  await check('transformers.js: the port file holds the ready line, the pid is the worker', () => {
    assert.deepEqual(readJson(w.portFile), w.ready);
    assert.equal(w.ready.pid, w.child.pid);
    assert.ok(Number.isInteger(w.ready.port) && w.ready.port > 0);
  });
  await check('transformers.js: GET /health is 200 {"status":"ok"}', async () => {
    assert.deepEqual(await get(w.base, '/health'), { status: 200, json: { status: 'ok' } });
  });
  await check('text-classification: POST / answers [{label, score}] with the top label of config.json', async () => {
    const r = await post(w.base, '/', { inputs: 'this movie is great' });
    assert.equal(r.status, 200, r.text);
    assert.ok(r.type.startsWith('application/json'));
    assert.ok(isLabelList(r.json, textLabels), r.text);
    assert.equal(r.json.length, 1);
    assert.equal(r.json[0].label, 'POSITIVE');
  });
  await check('text-classification: POST /predict honours parameters.top_k (every label, best first)', async () => {
    const r = await post(w.base, '/predict', { inputs: 'this is awful', parameters: { top_k: 2 } });
    assert.equal(r.status, 200, r.text);
    assert.ok(isLabelList(r.json, textLabels), r.text);
    assert.deepEqual(r.json.map((x) => x.label), ['NEGATIVE', 'POSITIVE']);
    assert.ok(Math.abs(r.json[0].score + r.json[1].score - 1) < 1e-5);
  });
  await check('text-classification: a list of texts answers one result per text', async () => {
    const r = await post(w.base, '/', { inputs: ['i love it', 'i hate it'] });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.map((x) => x.label), ['POSITIVE', 'NEGATIVE']);
  });
  await check('text-classification: query parameters stand in for a missing "parameters"', async () => {
    const r = await post(w.base, '/?top_k=2', { inputs: 'good' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.length, 2);
  });
  await check('transformers.js: a body without "inputs" is 400 {"error"}', async () => {
    await expectBadRequest(await post(w.base, '/', { input: 'x' }));
  });
  await check('transformers.js: a body that is not JSON is 400 {"error"}', async () => {
    await expectBadRequest(await post(w.base, '/', '{"inputs": '));
  });
  await check('transformers.js: inputs of the wrong type are 400 {"error"}', async () => {
    await expectBadRequest(await post(w.base, '/', { inputs: 5 }));
    await expectBadRequest(await post(w.base, '/', { inputs: 'x', parameters: { top_k: 0 } }));
  });
  await check('transformers.js: an image body for a text task is 400, an unknown route 404', async () => {
    await expectBadRequest(await post(w.base, '/', png('red'), { 'content-type': 'image/png' }));
    const r = await fetch(`${w.base}/v1/chat/completions`, { method: 'POST', body: '{}' });
    assert.equal(r.status, 404);
  });
  await check('transformers.js: SIGTERM closes the server and exits 0', async () => {
    assert.deepEqual(await stop(w), { code: 0, signal: null });
  });
}

async function featureExtraction() {
  const w = await startWorker('transformers_js.mjs', ['--model-dir', textModel, '--task', 'feature-extraction'], 'text-fe');
  const isRow = (row) => Array.isArray(row) && row.length === textHidden && row.every((v) => typeof v === 'number');
  await check('feature-extraction: one text answers [1][tokens][hidden] floats', async () => {
    const r = await post(w.base, '/', { inputs: 'this is good' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.length, 1);
    assert.equal(r.json[0].length, 5); // [CLS] this is good [SEP]
    assert.ok(r.json[0].every(isRow));
  });
  await check('feature-extraction: a list answers one [1][tokens][hidden] per text, each its own length', async () => {
    const r = await post(w.base, '/', { inputs: ['good', 'this is good'] });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.map((x) => [x.length, x[0].length]), [[1, 3], [1, 5]]);
    assert.ok(r.json.every((x) => x[0].every(isRow)));
  });
  await check('feature-extraction: parameters pooling=mean, normalize=true answer unit vectors', async () => {
    const r = await post(w.base, '/', { inputs: ['good', 'bad'], parameters: { pooling: 'mean', normalize: true } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.length, 2);
    for (const v of r.json) {
      assert.ok(isRow(v));
      assert.ok(Math.abs(Math.hypot(...v) - 1) < 1e-4);
    }
  });
  await check('feature-extraction: an unknown pooling is 400', async () => {
    await expectBadRequest(await post(w.base, '/', { inputs: 'x', parameters: { pooling: 'max' } }));
  });
  await stop(w);
}

async function imageClassification() {
  const w = await startWorker('transformers_js.mjs', ['--model-dir', imageModel, '--task', 'image-classification'], 'image-cls');
  startTimes.push(['transformers.js image-classification', w.startMs]);
  await check('image-classification: a base64 image in JSON answers every label, the right one first', async () => {
    const r = await post(w.base, '/', { inputs: png('red').toString('base64') });
    assert.equal(r.status, 200, r.text);
    assert.ok(isLabelList(r.json, imageLabels), r.text);
    assert.equal(r.json.length, imageLabels.length); // the Toolkit's default top_k is 5
    assert.equal(r.json[0].label, 'red');
  });
  await check('image-classification: raw image bytes with Content-Type image/png', async () => {
    const r = await post(w.base, '/', png('blue'), { 'content-type': 'image/png' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json[0].label, 'blue');
  });
  await check('image-classification: parameters.top_k=1 answers one label', async () => {
    const r = await post(w.base, '/', { inputs: png('green').toString('base64'), parameters: { top_k: 1 } });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.map((x) => x.label), ['green']);
  });
  await check('image-classification: bytes that are no image are 400', async () => {
    await expectBadRequest(await post(w.base, '/', { inputs: Buffer.from('not an image').toString('base64') }));
    await expectBadRequest(await post(w.base, '/', { inputs: ['a list'] }));
  });
  await stop(w);
}

async function tokenClassification() {
  const w = await startWorker('transformers_js.mjs', ['--model-dir', path.join(models, 'token-classifier'), '--task', 'token-classification'], 'ner');
  await check('token-classification: entities with character offsets, O tokens left out', async () => {
    const r = await post(w.base, '/', { inputs: 'Alice lives in Paris' });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(
      r.json.map(({ entity, word, start, end }) => ({ entity, word, start, end })),
      [
        { entity: 'B-PER', word: 'alice', start: 0, end: 5 },
        { entity: 'B-LOC', word: 'paris', start: 15, end: 20 },
      ],
    );
    assert.ok(r.json.every((x) => typeof x.score === 'number' && Number.isInteger(x.index)));
  });
  await check('token-classification: aggregation_strategy=simple groups as entity_group; a list answers one list per text', async () => {
    const r = await post(w.base, '/', { inputs: ['bob', 'to london'], parameters: { aggregation_strategy: 'simple' } });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(
      r.json.map((list) => list.map(({ entity_group, word, start }) => ({ entity_group, word, start }))),
      [[{ entity_group: 'PER', word: 'bob', start: 0 }], [{ entity_group: 'LOC', word: 'london', start: 3 }]],
    );
  });
  await check('token-classification: ignore_labels=[] keeps the O tokens; an unknown aggregation is 400', async () => {
    const r = await post(w.base, '/', { inputs: 'alice lives', parameters: { ignore_labels: [] } });
    assert.deepEqual(r.json.map((x) => x.entity), ['B-PER', 'O']);
    await expectBadRequest(await post(w.base, '/', { inputs: 'x', parameters: { aggregation_strategy: 'max' } }));
  });
  await stop(w);
}

async function fillMask() {
  const w = await startWorker('transformers_js.mjs', ['--model-dir', path.join(models, 'fill-mask'), '--task', 'fill-mask'], 'fill-mask');
  await check('fill-mask: [{score, token, token_str, sequence}], the best filler first, top_k honoured', async () => {
    const r = await post(w.base, '/', { inputs: 'this is [MASK].', parameters: { top_k: 3 } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.length, 3);
    assert.deepEqual(r.json[0].token_str, 'great');
    assert.deepEqual(r.json[0].sequence, 'this is great.');
    assert.ok(r.json.every((x) => typeof x.score === 'number' && Number.isInteger(x.token) && typeof x.token_str === 'string'));
    assert.ok(r.json[0].score >= r.json[1].score && r.json[1].score >= r.json[2].score);
  });
  await check('fill-mask: the Toolkit default top_k is 5; a list answers one list per text', async () => {
    const r = await post(w.base, '/', { inputs: ['a [MASK]', '[MASK] day'] });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.map((list) => list.length), [5, 5]);
  });
  await check('fill-mask: a text without the mask token is 400', async () => {
    await expectBadRequest(await post(w.base, '/', { inputs: 'no mask here' }));
  });
  await stop(w);
}

async function questionAnswering() {
  const w = await startWorker('transformers_js.mjs', ['--model-dir', path.join(models, 'question-answering'), '--task', 'question-answering'], 'qa');
  await check('question-answering: {answer, score, start, end} from {question, context}', async () => {
    const context = 'Alice lives in Paris.';
    const r = await post(w.base, '/', { inputs: { question: 'where does alice live?', context } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.answer, 'paris');
    assert.equal(typeof r.json.score, 'number');
    assert.equal(context.slice(r.json.start, r.json.end), 'Paris');
  });
  await check('question-answering: top_k=2 answers a list; inputs without a context are 400', async () => {
    const r = await post(w.base, '/', { inputs: { question: 'where?', context: 'bob is in london' }, parameters: { top_k: 2 } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.length, 2);
    assert.equal(r.json[0].answer, 'london');
    await expectBadRequest(await post(w.base, '/', { inputs: { question: 'where?' } }));
    await expectBadRequest(await post(w.base, '/', { inputs: 'where?' }));
  });
  await stop(w);
}

async function zeroShot() {
  const w = await startWorker('transformers_js.mjs', ['--model-dir', path.join(models, 'nli'), '--task', 'zero-shot-classification'], 'zero-shot');
  const candidates = ['happy', 'sad', 'food'];
  await check('zero-shot-classification: {sequence, labels, scores} over parameters.candidate_labels', async () => {
    const r = await post(w.base, '/', { inputs: 'i love it', parameters: { candidate_labels: candidates } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.sequence, 'i love it');
    assert.deepEqual([...r.json.labels].sort(), [...candidates].sort());
    assert.equal(r.json.scores.length, 3);
    assert.ok(Math.abs(r.json.scores.reduce((a, b) => a + b, 0) - 1) < 1e-5);
    assert.ok(r.json.scores[0] >= r.json.scores[1] && r.json.scores[1] >= r.json.scores[2]);
  });
  await check('zero-shot-classification: comma-separated labels, multi_label scores each label on its own', async () => {
    const r = await post(w.base, '/', { inputs: 'i love it', parameters: { candidate_labels: 'happy, sad', multi_label: true } });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual([...r.json.labels].sort(), ['happy', 'sad']);
    assert.ok(r.json.scores.every((x) => x > 0 && x < 1));
    assert.ok(Math.abs(r.json.scores[0] + r.json.scores[1] - 1) > 1e-3);
  });
  await check('zero-shot-classification: no candidate_labels is 400', async () => {
    await expectBadRequest(await post(w.base, '/', { inputs: 'i love it' }));
  });
  await stop(w);
}

async function snapshotFolder() {
  const w = await startWorker('transformers_js.mjs', ['--model-dir', snapshotTextModel, '--task', 'sentiment-analysis'], 'snapshot');
  await check('transformers.js: an HF-cache snapshot (relative symlinks) loads; sentiment-analysis is text-classification', async () => {
    assert.ok(fs.lstatSync(path.join(snapshotTextModel, 'onnx', 'model.onnx')).isSymbolicLink());
    const r = await post(w.base, '/', { inputs: 'so bad' });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.map((x) => x.label), ['NEGATIVE']);
  });
  await stop(w);
}

async function loadFailures() {
  const run = (args) =>
    spawnSync(process.execPath, [path.join(workers, 'transformers_js.mjs'), ...args, '--runtime-dir', here], {
      encoding: 'utf8',
      timeout: START_LIMIT_MS * 2,
    });
  await check('transformers.js: a model folder that does not load exits 1 with one stderr line', () => {
    const r = run(['--model-dir', path.join(work, 'absent'), '--task', 'text-classification']);
    assert.equal(r.status, 1);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    const broken = path.join(work, 'broken');
    fs.mkdirSync(broken);
    fs.writeFileSync(path.join(broken, 'config.json'), '{"model_type": "bert"}');
    const r2 = run(['--model-dir', broken, '--task', 'text-classification']);
    assert.equal(r2.status, 1);
    assert.equal(r2.stderr.trim().split('\n').length, 1, r2.stderr);
  });
  await check('transformers.js: a task it does not serve exits 1', () => {
    const r = run(['--model-dir', textModel, '--task', 'text-to-video']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /not served/);
  });
}

// ---------------------------------------------------------------------------------------------------
// llama.cpp

async function llamaCpp() {
  // One thread: llama.cpp's spinning worker threads crawl on a busy machine (and the model is tiny).
  const w = await startWorker('llama_cpp.mjs', ['--model-file', gguf, '--threads', '1', '--model-name', 'tiny'], 'llama');
  startTimes.push(['llama.cpp', w.startMs]);
  const chatBody = { messages: [{ role: 'system', content: 'you are helpful' }, { role: 'user', content: 'say hello' }], max_tokens: 4, temperature: 0 };

  await check('llama.cpp: the GGUF is an HF-cache symlink; GET /health is 200 {"status":"ok"}, /v1/models names the model', async () => {
    assert.ok(fs.lstatSync(gguf).isSymbolicLink());
    assert.deepEqual(await get(w.base, '/health'), { status: 200, json: { status: 'ok' } });
    const models = await get(w.base, '/v1/models');
    assert.equal(models.json.data[0].id, 'tiny');
  });
  await check('llama.cpp: probes as llama-server (owned_by llamacpp, GET /props with the GGUF chat template)', async () => {
    assert.equal((await get(w.base, '/v1/models')).json.data[0].owned_by, 'llamacpp');
    const props = await get(w.base, '/props');
    assert.equal(props.status, 200);
    assert.equal(props.json.default_generation_settings.n_ctx, 256); // the GGUF's context_length
    assert.equal(props.json.model_alias, 'tiny');
    assert.match(props.json.chat_template, /<\|im_start\|>/);
    assert.equal(props.json.chat_wrapper, 'ChatML');
  });
  let nonStreamed;
  await check('chat: POST /v1/chat/completions answers an OpenAI chat.completion', async () => {
    const r = await post(w.base, '/v1/chat/completions', chatBody);
    assert.equal(r.status, 200, r.text);
    const c = r.json;
    assert.equal(c.object, 'chat.completion');
    assert.equal(typeof c.id, 'string');
    assert.ok(Number.isInteger(c.created));
    assert.equal(c.model, 'tiny');
    assert.equal(c.choices.length, 1);
    assert.equal(c.choices[0].index, 0);
    assert.equal(c.choices[0].message.role, 'assistant');
    assert.ok(typeof c.choices[0].message.content === 'string' && c.choices[0].message.content.length > 0);
    // The tiny model never ends a reply by itself (make_tiny_models.py), so max_tokens ends it.
    assert.equal(c.choices[0].finish_reason, 'length');
    assert.equal(c.usage.completion_tokens, 4);
    assert.ok(c.usage.prompt_tokens > 0);
    assert.equal(c.usage.total_tokens, c.usage.prompt_tokens + 4);
    nonStreamed = c.choices[0].message.content;
  });
  await check('chat: temperature 0 answers the same text twice', async () => {
    const r = await post(w.base, '/v1/chat/completions', chatBody);
    assert.equal(r.json.choices[0].message.content, nonStreamed);
  });
  await check('chat: "stream": true is SSE: content deltas, a finish_reason chunk, then [DONE]', async () => {
    const r = await post(w.base, '/v1/chat/completions', { ...chatBody, stream: true, stream_options: { include_usage: true } });
    assert.equal(r.status, 200, r.text);
    assert.ok(r.type.startsWith('text/event-stream'), r.type);
    const events = sseEvents(r.text);
    assert.equal(events.at(-1), '[DONE]');
    const chunks = events.slice(0, -1);
    assert.ok(chunks.every((c) => c.object === 'chat.completion.chunk' && c.model === 'tiny'));
    const deltas = chunks.filter((c) => c.choices[0]?.delta?.content);
    assert.ok(deltas.length >= 1);
    assert.equal(deltas.map((c) => c.choices[0].delta.content).join(''), nonStreamed);
    const finish = chunks.filter((c) => c.choices[0]?.finish_reason);
    assert.deepEqual(finish.map((c) => c.choices[0].finish_reason), ['length']);
    assert.equal(chunks.at(-1).usage.completion_tokens, 4);
  });
  await check('chat: stop strings end the reply with finish_reason "stop"', async () => {
    const word = nonStreamed.trim().split(/\s+/)[0];
    const r = await post(w.base, '/v1/chat/completions', { ...chatBody, max_tokens: 8, stop: [word] });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.choices[0].finish_reason, 'stop');
    assert.ok(!r.json.choices[0].message.content.includes(word));
  });
  let completionText;
  await check('completions: POST /v1/completions answers a text_completion', async () => {
    const r = await post(w.base, '/v1/completions', { prompt: 'once upon a time', max_tokens: 3, temperature: 0 });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.object, 'text_completion');
    assert.ok(typeof r.json.choices[0].text === 'string' && r.json.choices[0].text.length > 0);
    assert.equal(r.json.choices[0].finish_reason, 'length');
    assert.equal(r.json.usage.completion_tokens, 3);
    completionText = r.json.choices[0].text;
  });
  await check('completions: "stream": true is SSE text chunks, then [DONE]', async () => {
    const r = await post(w.base, '/v1/completions', { prompt: 'once upon a time', max_tokens: 3, temperature: 0, stream: true });
    const events = sseEvents(r.text);
    assert.equal(events.at(-1), '[DONE]');
    assert.equal(events.slice(0, -1).map((c) => c.choices[0].text).join(''), completionText);
  });
  await check('toolkit: POST / text-generation answers [{generated_text}], the prompt first', async () => {
    const body = { inputs: 'once upon a time', parameters: { max_new_tokens: 3, do_sample: false } };
    const full = await post(w.base, '/', body);
    assert.equal(full.status, 200, full.text);
    assert.equal(full.json.length, 1);
    assert.equal(full.json[0].generated_text, `once upon a time${completionText}`);
    const only = await post(w.base, '/predict', { ...body, parameters: { ...body.parameters, return_full_text: false } });
    assert.deepEqual(only.json, [{ generated_text: completionText }]);
  });
  await check('llama.cpp: bad bodies are 400 (OpenAI error object on /v1, {"error"} on /)', async () => {
    const noMessages = await post(w.base, '/v1/chat/completions', { max_tokens: 2 });
    assert.equal(noMessages.status, 400);
    assert.equal(noMessages.json.error.code, 400);
    assert.equal(typeof noMessages.json.error.message, 'string');
    const badRole = await post(w.base, '/v1/chat/completions', { messages: [{ role: 'wizard', content: 'x' }] });
    assert.equal(badRole.status, 400);
    const badTokens = await post(w.base, '/v1/completions', { prompt: 'x', max_tokens: -1 });
    assert.equal(badTokens.status, 400);
    await expectBadRequest(await post(w.base, '/', { prompt: 'x' }));
    await expectBadRequest(await post(w.base, '/', 'not json'));
  });
  await check('llama.cpp: SIGTERM exits 0', async () => {
    assert.deepEqual(await stop(w), { code: 0, signal: null });
  });
  await check('llama.cpp: a file that is no GGUF exits 1 with one stderr line', () => {
    const bogus = path.join(work, 'bogus.gguf');
    fs.writeFileSync(bogus, 'not a gguf');
    const r = spawnSync(process.execPath, [path.join(workers, 'llama_cpp.mjs'), '--model-file', bogus, '--runtime-dir', here], {
      encoding: 'utf8',
      timeout: START_LIMIT_MS * 2,
    });
    assert.equal(r.status, 1);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  });
}

// ---------------------------------------------------------------------------------------------------

try {
  for (const suite of [
    textClassification,
    featureExtraction,
    imageClassification,
    tokenClassification,
    fillMask,
    questionAnswering,
    zeroShot,
    snapshotFolder,
    loadFailures,
    llamaCpp,
  ]) {
    await check(`${suite.name}: the worker ran`, suite);
  }
  await check(`workers start within ${START_LIMIT_MS} ms`, () => {
    for (const [name, ms] of startTimes) {
      console.log(`  start-up: ${name}: ${ms.toFixed(0)} ms (spawn to ready line)`);
      assert.ok(ms < START_LIMIT_MS, `${name}: ${ms} ms`);
    }
    assert.equal(startTimes.length, 3);
  });
} finally {
  for (const child of children) {
    child.kill('SIGKILL');
  }
  fs.rmSync(work, { recursive: true, force: true });
}
const failed = results.filter((ok) => !ok).length;
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
