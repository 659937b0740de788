#!/usr/bin/env node
// The transformers.js worker of `hfrun local` (docs/local.md): loads one ONNX model folder with
// @huggingface/transformers once, then serves it with the Hugging Face Inference Toolkit protocol on a
// loopback port (POST / and /predict with {"inputs", "parameters"}; raw image bytes for image tasks),
// the same replies as the Toolkit's pipelines. Tasks: TASKS below.

import fs from 'node:fs';
import path from 'node:path';

import {
  badRequest,
  fatal,
  importRuntime,
  isObject,
  mediaType,
  parseCommandLine,
  parseJsonBody,
  readBody,
  sendJson,
  serialQueue,
  serve,
} from './common.mjs';

const WORKER = 'transformers_js';
const USAGE = `usage: node transformers_js.mjs --model-dir DIR --task TASK [--host 127.0.0.1] [--port 0]
                              [--port-file FILE] [--runtime-dir DIR] [--dtype fp32] [--device cpu]`;

const opts = parseCommandLine(
  WORKER,
  {
    'model-dir': { type: 'string' },
    task: { type: 'string' },
    dtype: { type: 'string', default: 'fp32' },
    device: { type: 'string', default: 'cpu' },
  },
  USAGE,
);
if (!opts['model-dir'] || !opts.task) {
  process.stderr.write(`${WORKER}: --model-dir and --task are required\n${USAGE}\n`);
  process.exit(2);
}

// ---------------------------------------------------------------------------------------------------
// Reading the request parameters (the Toolkit passes them to the pipeline as keyword arguments)

function positiveInt(params, name) {
  const v = params[name];
  if (v === undefined || v === null) {
    return undefined;
  }
  if (!Number.isInteger(v) || v < 1) {
    throw badRequest(`parameters.${name} must be a positive integer`);
  }
  return v;
}

function boolean(params, name) {
  const v = params[name];
  if (v === undefined || v === null) {
    return undefined;
  }
  if (typeof v !== 'boolean') {
    throw badRequest(`parameters.${name} must be true or false`);
  }
  return v;
}

function textOrTexts(inputs) {
  if (typeof inputs === 'string') {
    return inputs;
  }
  if (Array.isArray(inputs) && inputs.length > 0 && inputs.every((s) => typeof s === 'string')) {
    return inputs;
  }
  throw badRequest('inputs must be a string or a non-empty list of strings');
}

// ---------------------------------------------------------------------------------------------------
// Tasks: each maps the Toolkit body to a pipeline call and the pipeline's result to the Toolkit reply.

const TASKS = {
  'text-classification': {
    inputs: 'text',
    async run(pipe, inputs, params) {
      const texts = textOrTexts(inputs);
      const top_k = positiveInt(params, 'top_k');
      return pipe(texts, top_k === undefined ? {} : { top_k });
    },
  },
  'feature-extraction': {
    inputs: 'text',
    async run(pipe, inputs, params) {
      const texts = textOrTexts(inputs);
      const pooling = params.pooling ?? 'none';
      if (!['none', 'mean', 'cls', 'first_token', 'last_token', 'eos'].includes(pooling)) {
        throw badRequest('parameters.pooling must be one of none, mean, cls, first_token, last_token, eos');
      }
      const normalize = boolean(params, 'normalize') ?? false;
      if (pooling === 'none' && Array.isArray(texts)) {
        // As the Toolkit's pipeline: one [1, tokens, hidden] array per text, each its own length
        // (not one batch padded to the longest text).
        const out = [];
        for (const text of texts) {
          out.push((await pipe(text, { pooling, normalize })).tolist());
        }
        return out;
      }
      return (await pipe(texts, { pooling, normalize })).tolist();
    },
  },
  'image-classification': {
    inputs: 'image',
    async run(pipe, inputs, params, runtime) {
      const image = await readImage(runtime, inputs);
      const top_k = positiveInt(params, 'top_k');
      return pipe(image, top_k === undefined ? {} : { top_k });
    },
  },
  'token-classification': {
    inputs: 'text',
    async run(pipe, inputs, params) {
      const texts = textOrTexts(inputs);
      const aggregation = params.aggregation_strategy ?? 'none';
      if (!['none', 'simple'].includes(aggregation)) {
        throw badRequest('parameters.aggregation_strategy must be none or simple');
      }
      const ignore = params.ignore_labels ?? ['O'];
      if (!Array.isArray(ignore) || !ignore.every((l) => typeof l === 'string')) {
        throw badRequest('parameters.ignore_labels must be a list of strings');
      }
      // Every token (or group) comes back, so that character offsets can be found in order; the
      // ignored labels are dropped afterwards.
      const one = async (text) => {
        const items = withOffsets(text, await pipe(text, { aggregation_strategy: aggregation, ignore_labels: [] }));
        return items.filter((x) => !ignore.includes(x.entity ?? x.entity_group));
      };
      if (Array.isArray(texts)) {
        const out = [];
        for (const text of texts) {
          out.push(await one(text));
        }
        return out;
      }
      return one(texts);
    },
  },
  'fill-mask': {
    inputs: 'text',
    async run(pipe, inputs, params) {
      const texts = textOrTexts(inputs);
      const mask = pipe.tokenizer.mask_token;
      for (const text of [texts].flat()) {
        if (!text.includes(mask)) {
          throw badRequest(`No mask_token (${mask}) found on the input`);
        }
      }
      const top_k = positiveInt(params, 'top_k');
      return pipe(texts, top_k === undefined ? {} : { top_k });
    },
  },
  'question-answering': {
    inputs: 'text',
    async run(pipe, inputs, params) {
      if (!isObject(inputs) || typeof inputs.question !== 'string' || typeof inputs.context !== 'string') {
        throw badRequest('inputs must be {"question": "...", "context": "..."}');
      }
      const top_k = positiveInt(params, 'top_k') ?? 1;
      const result = await pipe(inputs.question, inputs.context, { top_k });
      // transformers.js gives no offsets; the Toolkit's answers have them (characters in the context).
      const located = (a) => {
        const start = inputs.context.toLowerCase().indexOf(a.answer.toLowerCase());
        return { ...a, start: start < 0 ? null : start, end: start < 0 ? null : start + a.answer.length };
      };
      return Array.isArray(result) ? result.map(located) : located(result);
    },
  },
  'zero-shot-classification': {
    inputs: 'text',
    async run(pipe, inputs, params) {
      const texts = textOrTexts(inputs);
      let labels = params.candidate_labels ?? params.candidateLabels;
      if (typeof labels === 'string') {
        labels = labels.split(',').map((l) => l.trim()).filter((l) => l !== '');
      }
      if (!Array.isArray(labels) || labels.length === 0 || !labels.every((l) => typeof l === 'string')) {
        throw badRequest('parameters.candidate_labels must be a non-empty list of strings');
      }
      const options = { multi_label: boolean(params, 'multi_label') ?? false };
      if (params.hypothesis_template !== undefined) {
        if (typeof params.hypothesis_template !== 'string' || !params.hypothesis_template.includes('{}')) {
          throw badRequest('parameters.hypothesis_template must be a string with {} for the label');
        }
        options.hypothesis_template = params.hypothesis_template;
      }
      return pipe(texts, labels, options);
    },
  },
};
const ALIASES = {
  'sentiment-analysis': 'text-classification',
  embeddings: 'feature-extraction',
  ner: 'token-classification',
};

// Character offsets of token-classification results, as the Toolkit's pipeline gives them: each
// word is looked up in the text after the previous one (case-insensitive; a WordPiece "##" piece
// without its prefix); null when the tokenizer changed the text beyond case.
function withOffsets(text, items) {
  const lower = text.toLowerCase();
  let cursor = 0;
  return items.map((item) => {
    const word = String(item.word ?? '').replace(/^##/, '').toLowerCase();
    const at = word === '' ? -1 : lower.indexOf(word, cursor);
    if (at < 0) {
      return { ...item, start: null, end: null };
    }
    cursor = at + word.length;
    return { ...item, start: at, end: at + word.length };
  });
}

// An image input: bytes from a binary body, or a base64 string (a data: URL too) in the JSON body.
async function readImage(runtime, inputs) {
  let bytes;
  if (Buffer.isBuffer(inputs)) {
    bytes = inputs;
  } else if (typeof inputs === 'string') {
    const b64 = inputs.startsWith('data:') ? inputs.slice(inputs.indexOf(',') + 1) : inputs;
    if (!/^[A-Za-z0-9+/=_\-\s]+$/.test(b64)) {
      throw badRequest('inputs must be a base64-encoded image');
    }
    bytes = Buffer.from(b64, 'base64');
  } else {
    throw badRequest('inputs must be a base64-encoded image (or send the image bytes with Content-Type image/*)');
  }
  if (bytes.length === 0) {
    throw badRequest('the image is empty');
  }
  try {
    return await runtime.RawImage.fromBlob(new Blob([bytes]));
  } catch (e) {
    throw badRequest(`cannot decode the image: ${e?.message ?? e}`);
  }
}

// The Toolkit turns query parameters into `parameters` when the body has none, numbers and booleans
// converted from their text.
function queryParameters(url) {
  const params = {};
  for (const [key, value] of url.searchParams) {
    if (/^-?\d+$/.test(value)) {
      params[key] = Number(value);
    } else if (value === 'true' || value === 'false') {
      params[key] = value === 'true';
    } else {
      params[key] = value;
    }
  }
  return params;
}

// The Toolkit body from a request: {"inputs", "parameters"} JSON, or raw image bytes for image tasks.
async function toolkitBody(req, url, task) {
  const type = mediaType(req);
  const buffer = await readBody(req);
  if (type.startsWith('image/')) {
    if (task.inputs !== 'image') {
      throw badRequest(`Content type "${type}" is not an input of this task`);
    }
    return { inputs: buffer, parameters: queryParameters(url) };
  }
  if (type !== '' && type !== 'application/json') {
    throw badRequest(`Content type "${type}" not supported`);
  }
  const body = parseJsonBody(buffer);
  if (!isObject(body) || !('inputs' in body)) {
    throw badRequest('Body needs to provide a inputs key');
  }
  const parameters = body.parameters ?? queryParameters(url);
  if (!isObject(parameters)) {
    throw badRequest('parameters must be an object');
  }
  return { inputs: body.inputs, parameters };
}

// ---------------------------------------------------------------------------------------------------

async function main() {
  const taskName = ALIASES[opts.task] ?? opts.task;
  const task = TASKS[taskName];
  if (!task) {
    fatal(WORKER, `task ${opts.task} is not served by this worker (served: ${Object.keys(TASKS).join(', ')})`);
  }
  const modelDir = path.resolve(opts['model-dir']);
  if (!fs.existsSync(path.join(modelDir, 'config.json'))) {
    fatal(WORKER, `${modelDir} is not a model folder (no config.json)`);
  }

  let runtime;
  try {
    runtime = await importRuntime(opts['runtime-dir'], '@huggingface/transformers', 'install it: hfrun local --setup transformers.js');
  } catch (e) {
    fatal(WORKER, `cannot load @huggingface/transformers: ${e.message}`);
  }
  // Only this folder: never the network, never the library's own model folder.
  runtime.env.allowRemoteModels = false;
  runtime.env.allowLocalModels = true;
  runtime.env.localModelPath = path.dirname(modelDir);
  runtime.env.useBrowserCache = false;

  let pipe;
  try {
    // An absolute path is read as a folder, not as a Hub id (transformers.js utils/hub.js).
    pipe = await runtime.pipeline(taskName, modelDir, {
      dtype: opts.dtype,
      device: opts.device,
      local_files_only: true,
    });
  } catch (e) {
    fatal(WORKER, `cannot load the model in ${modelDir} for ${taskName}: ${e?.message ?? e}`);
  }

  const queue = serialQueue();
  serve(WORKER, opts, async (req, res, url) => {
    if (req.method === 'GET' && (url.pathname === '/health' || url.pathname === '/')) {
      sendJson(res, 200, { status: 'ok' });
      return true;
    }
    if (url.pathname !== '/' && url.pathname !== '/predict') {
      return false;
    }
    if (req.method !== 'POST') {
      sendJson(res, 405, { error: `${req.method} ${url.pathname} is not allowed (POST)` });
      return true;
    }
    const { inputs, parameters } = await toolkitBody(req, url, task);
    const result = await queue(() => task.run(pipe, inputs, parameters, runtime));
    sendJson(res, 200, result);
    return true;
  });
}

main().catch((e) => fatal(WORKER, e?.message ?? e));
