#!/usr/bin/env node
// The llama.cpp worker of `hfrun local` (docs/local.md): loads one GGUF file with node-llama-cpp once,
// then serves it on a loopback port with the OpenAI routes llama.cpp's llama-server has
// (/v1/chat/completions, /v1/completions, /v1/models; SSE when "stream": true) and the Inference
// Toolkit's text-generation route (POST / and /predict: [{"generated_text"}]).

import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';

import {
  HttpError,
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

const WORKER = 'llama_cpp';
const USAGE = `usage: node llama_cpp.mjs --model-file FILE.gguf [--ctx N] [--gpu auto|none] [--threads N]
                         [--model-name NAME] [--host 127.0.0.1] [--port 0] [--port-file FILE]
                         [--runtime-dir DIR]`;

// llama-server's defaults where a request says nothing.
const DEFAULT_MAX_TOKENS = 256;
const DEFAULT_TEMPERATURE = 0.8;

const opts = parseCommandLine(
  WORKER,
  {
    'model-file': { type: 'string' },
    'model-name': { type: 'string' },
    ctx: { type: 'string' },
    gpu: { type: 'string', default: 'none' },
    threads: { type: 'string' },
  },
  USAGE,
);
if (!opts['model-file']) {
  process.stderr.write(`${WORKER}: --model-file is required\n${USAGE}\n`);
  process.exit(2);
}
for (const flag of ['ctx', 'threads']) {
  if (opts[flag] !== undefined && !(Number.isInteger(Number(opts[flag])) && Number(opts[flag]) > 0)) {
    process.stderr.write(`${WORKER}: --${flag} must be a positive integer\n`);
    process.exit(2);
  }
}
if (!['auto', 'none'].includes(opts.gpu)) {
  process.stderr.write(`${WORKER}: --gpu must be auto or none\n`);
  process.exit(2);
}

// ---------------------------------------------------------------------------------------------------
// Request fields (OpenAI names; the Toolkit's text-generation names in toolkitOptions)

function optionalNumber(body, name, { min = -Infinity, max = Infinity, integer = false } = {}) {
  const v = body[name];
  if (v === undefined || v === null) {
    return undefined;
  }
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
    const kind = integer ? 'an integer' : 'a number';
    throw badRequest(`${name} must be ${kind}${min > -Infinity ? ` >= ${min}` : ''}${max < Infinity ? ` <= ${max}` : ''}`);
  }
  return v;
}

function stopStrings(value, name) {
  if (value === undefined || value === null) {
    return [];
  }
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || !list.every((s) => typeof s === 'string' && s.length > 0)) {
    throw badRequest(`${name} must be a string or a list of non-empty strings`);
  }
  return list;
}

// Sampling options in node-llama-cpp's names, from OpenAI fields.
function openaiOptions(body) {
  if (body.n !== undefined && body.n !== null && body.n !== 1) {
    throw badRequest('only n = 1 is supported');
  }
  const maxTokens =
    optionalNumber(body, 'max_completion_tokens', { min: 1, integer: true }) ??
    optionalNumber(body, 'max_tokens', { min: 1, integer: true }) ??
    DEFAULT_MAX_TOKENS;
  const options = {
    maxTokens,
    temperature: optionalNumber(body, 'temperature', { min: 0, max: 2 }) ?? DEFAULT_TEMPERATURE,
    topP: optionalNumber(body, 'top_p', { min: 0, max: 1 }),
    topK: optionalNumber(body, 'top_k', { min: 0, integer: true }),
    seed: optionalNumber(body, 'seed', { min: 0, integer: true }),
  };
  const stop = stopStrings(body.stop, 'stop');
  if (stop.length > 0) {
    options.customStopTriggers = stop;
  }
  if (body.stream !== undefined && typeof body.stream !== 'boolean') {
    throw badRequest('stream must be true or false');
  }
  return options;
}

// The text of one chat message: a string, or the text parts of a content list.
function messageText(message, index) {
  const content = message.content;
  if (typeof content === 'string') {
    return content;
  }
  if (content === null || content === undefined) {
    return '';
  }
  if (Array.isArray(content)) {
    return content
      .map((part) => {
        if (isObject(part) && part.type === 'text' && typeof part.text === 'string') {
          return part.text;
        }
        throw badRequest(`messages[${index}].content: only text parts are supported by this model`);
      })
      .join('');
  }
  throw badRequest(`messages[${index}].content must be a string or a list of text parts`);
}

// OpenAI messages as node-llama-cpp chat history, ending with the model's turn to answer.
function chatHistory(messages) {
  if (!Array.isArray(messages) || messages.length === 0) {
    throw badRequest('messages must be a non-empty list');
  }
  const history = messages.map((m, i) => {
    if (!isObject(m) || typeof m.role !== 'string') {
      throw badRequest(`messages[${i}] must be an object with a role`);
    }
    const text = messageText(m, i);
    switch (m.role) {
      case 'system':
      case 'developer':
        return { type: 'system', text };
      case 'user':
        return { type: 'user', text };
      case 'assistant':
        return { type: 'model', response: [text] };
      default:
        throw badRequest(`messages[${i}].role ${m.role} is not supported (system, user, assistant)`);
    }
  });
  if (history[history.length - 1].type !== 'model') {
    history.push({ type: 'model', response: [] });
  }
  return history;
}

const finishReason = (stopReason) => (stopReason === 'maxTokens' ? 'length' : 'stop');

// ---------------------------------------------------------------------------------------------------
// Server-sent events

function startEvents(res) {
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  return (value) => res.write(`data: ${typeof value === 'string' ? value : JSON.stringify(value)}\n\n`);
}

// Aborts the generation when the client goes away mid-stream.
function abortOnClose(req, res) {
  const controller = new AbortController();
  res.on('close', () => {
    if (!res.writableEnded) {
      controller.abort();
    }
  });
  return controller.signal;
}

// ---------------------------------------------------------------------------------------------------

async function main() {
  const modelFile = path.resolve(opts['model-file']);
  if (!fs.existsSync(modelFile)) {
    fatal(WORKER, `no model file ${modelFile}`);
  }
  const modelName = opts['model-name'] ?? path.basename(modelFile);

  let runtime;
  try {
    runtime = await importRuntime(opts['runtime-dir'], 'node-llama-cpp', 'install it: hfrun local --setup llama.cpp');
  } catch (e) {
    fatal(WORKER, `cannot load node-llama-cpp: ${e.message}`);
  }

  let llama, model, context;
  try {
    // build: 'never': only the prebuilt binaries that came with the package, never a compiler or a
    // download at run time.
    llama = await runtime.getLlama({
      gpu: opts.gpu === 'auto' ? 'auto' : false,
      build: 'never',
      logLevel: runtime.LlamaLogLevel?.error ?? 'error',
      ...(opts.threads ? { maxThreads: Number(opts.threads) } : {}),
    });
    model = await llama.loadModel({ modelPath: modelFile });
    const contextSize = opts.ctx ? Number(opts.ctx) : Math.min(model.trainContextSize, 4096);
    context = await model.createContext({ contextSize, sequences: 1 });
  } catch (e) {
    fatal(WORKER, `cannot load ${modelFile}: ${e?.message ?? e}`);
  }
  const sequence = context.getSequence();
  // "auto": the chat template inside the GGUF (tokenizer.chat_template) when it has one, else
  // node-llama-cpp's general template.
  const chat = new runtime.LlamaChat({ contextSequence: sequence });
  const completion = new runtime.LlamaCompletion({ contextSequence: sequence });
  const queue = serialQueue();
  const created = () => Math.floor(Date.now() / 1000);

  const countTokens = (text) => model.tokenize(text).length;
  const promptTokens = (history) =>
    chat.chatWrapper.generateContextState({ chatHistory: history }).contextText.tokenize(model.tokenizer).length;

  async function chatCompletions(req, res, body) {
    const history = chatHistory(body.messages);
    const options = openaiOptions(body);
    const id = `chatcmpl-${randomUUID()}`;
    const base = { id, created: created(), model: modelName };
    let completionTokens = 0;
    const onToken = (tokens) => {
      completionTokens += tokens.length;
    };

    if (!body.stream) {
      const result = await queue(() => chat.generateResponse(history, { ...options, onToken }));
      const prompt = promptTokens(history);
      sendJson(res, 200, {
        ...base,
        object: 'chat.completion',
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: result.response },
            finish_reason: finishReason(result.metadata.stopReason),
          },
        ],
        usage: { prompt_tokens: prompt, completion_tokens: completionTokens, total_tokens: prompt + completionTokens },
      });
      return;
    }

    const signal = abortOnClose(req, res);
    const send = startEvents(res);
    const chunk = (delta, finish) => ({
      ...base,
      object: 'chat.completion.chunk',
      choices: [{ index: 0, delta, finish_reason: finish }],
    });
    send(chunk({ role: 'assistant', content: '' }, null));
    try {
      const result = await queue(() =>
        chat.generateResponse(history, {
          ...options,
          onToken,
          signal,
          stopOnAbortSignal: true,
          onTextChunk: (text) => {
            if (text !== '') {
              send(chunk({ content: text }, null));
            }
          },
        }),
      );
      send(chunk({}, finishReason(result.metadata.stopReason)));
      if (isObject(body.stream_options) && body.stream_options.include_usage === true) {
        const prompt = promptTokens(history);
        send({
          ...base,
          object: 'chat.completion.chunk',
          choices: [],
          usage: { prompt_tokens: prompt, completion_tokens: completionTokens, total_tokens: prompt + completionTokens },
        });
      }
    } catch (e) {
      send({ error: { code: 500, message: `inference failed: ${e?.message ?? e}`, type: 'server_error' } });
    }
    send('[DONE]');
    res.end();
  }

  async function completions(req, res, body) {
    let prompt = body.prompt;
    if (Array.isArray(prompt) && prompt.length === 1) {
      prompt = prompt[0];
    }
    if (typeof prompt !== 'string') {
      throw badRequest('prompt must be a string');
    }
    const options = openaiOptions(body);
    const echo = body.echo === true;
    const id = `cmpl-${randomUUID()}`;
    const base = { id, created: created(), model: modelName };
    let completionTokens = 0;
    const onToken = (tokens) => {
      completionTokens += tokens.length;
    };
    const usage = () => {
      const p = countTokens(prompt);
      return { prompt_tokens: p, completion_tokens: completionTokens, total_tokens: p + completionTokens };
    };

    if (!body.stream) {
      const result = await queue(() => completion.generateCompletionWithMeta(prompt, { ...options, onToken }));
      sendJson(res, 200, {
        ...base,
        object: 'text_completion',
        choices: [
          {
            index: 0,
            text: echo ? prompt + result.response : result.response,
            logprobs: null,
            finish_reason: finishReason(result.metadata.stopReason),
          },
        ],
        usage: usage(),
      });
      return;
    }

    const signal = abortOnClose(req, res);
    const send = startEvents(res);
    const chunk = (text, finish) => ({
      ...base,
      object: 'text_completion',
      choices: [{ index: 0, text, logprobs: null, finish_reason: finish }],
    });
    if (echo) {
      send(chunk(prompt, null));
    }
    try {
      const result = await queue(() =>
        completion.generateCompletionWithMeta(prompt, {
          ...options,
          onToken,
          signal,
          stopOnAbortSignal: true,
          onTextChunk: (text) => {
            if (text !== '') {
              send(chunk(text, null));
            }
          },
        }),
      );
      send(chunk('', finishReason(result.metadata.stopReason)));
      if (isObject(body.stream_options) && body.stream_options.include_usage === true) {
        send({ ...base, object: 'text_completion', choices: [], usage: usage() });
      }
    } catch (e) {
      send({ error: { code: 500, message: `inference failed: ${e?.message ?? e}`, type: 'server_error' } });
    }
    send('[DONE]');
    res.end();
  }

  // The Toolkit's text-generation pipeline: {"inputs": "...", "parameters": {...}} ->
  // [{"generated_text"}], the prompt included unless parameters.return_full_text is false.
  async function toolkitGeneration(res, body) {
    if (!isObject(body) || !('inputs' in body)) {
      throw badRequest('Body needs to provide a inputs key');
    }
    if (typeof body.inputs !== 'string') {
      throw badRequest('inputs must be a string');
    }
    if (body.parameters !== undefined && !isObject(body.parameters)) {
      throw badRequest('parameters must be an object');
    }
    // The Toolkit flattens generation_parameters and generate_kwargs into the parameters.
    const raw = body.parameters ?? {};
    const params = { ...raw, ...(isObject(raw.generation_parameters) ? raw.generation_parameters : {}) };
    Object.assign(params, isObject(raw.generate_kwargs) ? raw.generate_kwargs : {});
    const greedy = params.do_sample === false;
    const options = {
      maxTokens:
        optionalNumber(params, 'max_new_tokens', { min: 1, integer: true }) ??
        optionalNumber(params, 'max_length', { min: 1, integer: true }) ??
        DEFAULT_MAX_TOKENS,
      temperature: greedy ? 0 : (optionalNumber(params, 'temperature', { min: 0 }) ?? DEFAULT_TEMPERATURE),
      topP: optionalNumber(params, 'top_p', { min: 0, max: 1 }),
      topK: optionalNumber(params, 'top_k', { min: 0, integer: true }),
      seed: optionalNumber(params, 'seed', { min: 0, integer: true }),
    };
    const stop = [...stopStrings(params.stop, 'stop'), ...stopStrings(params.stop_sequences, 'stop_sequences')];
    if (stop.length > 0) {
      options.customStopTriggers = stop;
    }
    if (params.return_full_text !== undefined && typeof params.return_full_text !== 'boolean') {
      throw badRequest('parameters.return_full_text must be true or false');
    }
    const full = params.return_full_text ?? true;
    const result = await queue(() => completion.generateCompletionWithMeta(body.inputs, options));
    sendJson(res, 200, [{ generated_text: full ? body.inputs + result.response : result.response }]);
  }

  const openaiError = (status, message) => ({
    error: {
      code: status,
      message,
      type: status === 404 ? 'not_found_error' : status >= 500 ? 'server_error' : 'invalid_request_error',
    },
  });

  serve(
    WORKER,
    opts,
    async (req, res, url) => {
      const route = url.pathname;
      if (req.method === 'GET') {
        if (route === '/health' || route === '/v1/health') {
          sendJson(res, 200, { status: 'ok' });
          return true;
        }
        // As llama-server answers them, so that a probe (docs/endpoint.md, "Flavours and how they
        // are found") takes this worker for llama.cpp.
        if (route === '/v1/models') {
          sendJson(res, 200, {
            object: 'list',
            data: [{ id: modelName, object: 'model', created: created(), owned_by: 'llamacpp' }],
          });
          return true;
        }
        if (route === '/props') {
          sendJson(res, 200, {
            default_generation_settings: {
              n_ctx: context.contextSize,
              params: { n_predict: DEFAULT_MAX_TOKENS, temperature: DEFAULT_TEMPERATURE },
            },
            total_slots: 1,
            model_path: modelFile,
            model_alias: modelName,
            chat_template: model.fileInfo?.metadata?.tokenizer?.chat_template ?? null,
            chat_wrapper: chat.chatWrapper.wrapperName ?? null,
            modalities: { vision: false, audio: false },
            build_info: 'hfrun llama_cpp worker (node-llama-cpp)',
          });
          return true;
        }
        if (route === '/') {
          sendJson(res, 200, { status: 'ok' });
          return true;
        }
      }
      const handlers = {
        '/v1/chat/completions': (body) => chatCompletions(req, res, body),
        '/v1/completions': (body) => completions(req, res, body),
        '/': (body) => toolkitGeneration(res, body),
        '/predict': (body) => toolkitGeneration(res, body),
      };
      const handler = handlers[route];
      if (!handler) {
        return false;
      }
      if (req.method !== 'POST') {
        throw new HttpError(405, `${req.method} ${route} is not allowed (POST)`);
      }
      const type = mediaType(req);
      if (type !== '' && type !== 'application/json') {
        throw badRequest(`Content type "${type}" not supported`);
      }
      const body = parseJsonBody(await readBody(req));
      if (!isObject(body)) {
        throw badRequest('the request body must be a JSON object');
      }
      await handler(body);
      return true;
    },
    // OpenAI routes answer llama-server's error shape, the Toolkit routes the Toolkit's.
    (status, message, url) =>
      url.pathname.startsWith('/v1/') ? openaiError(status, message) : { error: message },
  );
}

main().catch((e) => fatal(WORKER, e?.message ?? e));
