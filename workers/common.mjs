// What the `hfrun local` workers share (docs/local.md): the command line, loading the runtime package
// from --runtime-dir, the loopback HTTP server, the port file, error replies and shutdown.
//
// A worker loads its model once, then listens; only then does it write {"port":N,"pid":P} to the port
// file (atomically: a temporary file renamed into place) and the same JSON as one line on stdout, so a
// reader of either never sees a port that does not answer yet.

import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

// SIGTERM or SIGINT while the model still loads: nothing to close yet, exit 0 at once. serve() replaces
// these with a shutdown that closes the server first.
const exitNow = () => process.exit(0);
process.on('SIGTERM', exitNow);
process.on('SIGINT', exitNow);

// An error whose message is safe to show to the caller, with the HTTP status it maps to.
export class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

export const badRequest = (message) => new HttpError(400, message);

// One line on stderr, exit 1: what a caller that waits for the port file reports to the user.
export function fatal(worker, message) {
  const line = String(message).split('\n')[0];
  process.stderr.write(`${worker}: ${line}\n`);
  process.exit(1);
}

// Parses the worker's flags; `options` are the worker's own (node:util parseArgs format). Exits 2 on a
// usage error, as a command line tool does.
export function parseCommandLine(worker, options, usage) {
  const common = {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '0' },
    'port-file': { type: 'string' },
    'runtime-dir': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  };
  let values;
  try {
    ({ values } = parseArgs({ options: { ...common, ...options }, strict: true, allowPositionals: false }));
  } catch (e) {
    process.stderr.write(`${worker}: ${e.message}\n${usage}\n`);
    process.exit(2);
  }
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`${worker}: --port must be an integer from 0 to 65535\n`);
    process.exit(2);
  }
  values.port = port;
  return values;
}

// The entry file of an installed package for `import` in Node (package.json "exports", else "module"
// or "main").
function packageEntry(pkg) {
  const conditions = new Set(['node', 'import', 'default']);
  const pick = (target) => {
    if (typeof target === 'string') {
      return target;
    }
    if (Array.isArray(target)) {
      for (const t of target) {
        const r = pick(t);
        if (r) {
          return r;
        }
      }
      return null;
    }
    if (target && typeof target === 'object') {
      if ('.' in target) {
        return pick(target['.']);
      }
      for (const [key, value] of Object.entries(target)) {
        if (conditions.has(key)) {
          const r = pick(value);
          if (r) {
            return r;
          }
        }
      }
    }
    return null;
  };
  return (pkg.exports && pick(pkg.exports)) || pkg.module || pkg.main || 'index.js';
}

// Imports package `name` as Node would from a script inside `runtimeDir` (its node_modules, then the
// parents'), or from beside this file when no runtime folder is given. ESM-only packages
// (node-llama-cpp) rule out require(), so the entry is found by hand and imported by URL.
export async function importRuntime(runtimeDir, name, setupHint) {
  if (!runtimeDir) {
    return import(name);
  }
  const base = path.resolve(runtimeDir);
  const lookup = createRequire(path.join(base, 'hfrun-worker.js')).resolve.paths(name) ?? [];
  for (const dir of lookup) {
    const root = path.join(dir, name);
    let pkg;
    try {
      pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
    } catch {
      continue;
    }
    return import(pathToFileURL(path.join(root, packageEntry(pkg))).href);
  }
  throw new Error(`${name} is not installed under ${base}${setupHint ? ` (${setupHint})` : ''}`);
}

export async function readBody(req, limit = 64 * 1024 * 1024) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > limit) {
      throw new HttpError(413, `request body over ${limit} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export function sendJson(res, status, value) {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

// The media type of a request, lower case, without parameters ("application/json; charset=utf-8" is
// "application/json"); "" when there is none.
export function mediaType(req) {
  return String(req.headers['content-type'] ?? '')
    .split(';')[0]
    .trim()
    .toLowerCase();
}

// Parses a JSON request body; a body that is not JSON is the caller's mistake (400).
export function parseJsonBody(buffer) {
  const text = buffer.toString('utf8');
  if (text.trim() === '') {
    throw badRequest('empty request body');
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw badRequest(`request body is not valid JSON: ${e.message}`);
  }
}

export const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

// Runs one request at a time: both runtimes hold one model (and llama.cpp one context sequence), so
// requests queue as they do on the Inference Toolkit.
export function serialQueue() {
  let tail = Promise.resolve();
  return (job) => {
    const run = tail.then(job, job);
    tail = run.catch(() => {});
    return run;
  };
}

// Starts the HTTP server. `routes(req, res, url)` answers a request, throws an HttpError for a reply of
// its own, or returns false for an unknown route. `errorReply(status, message, url)` shapes error
// bodies (the Toolkit's {"error": "..."} by default).
export function serve(worker, opts, routes, errorReply = (status, message) => ({ error: message })) {
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    try {
      const handled = await routes(req, res, url);
      if (handled === false && !res.headersSent) {
        sendJson(res, 404, errorReply(404, `no route ${req.method} ${url.pathname}`, url));
      }
    } catch (e) {
      const status = e instanceof HttpError ? e.status : 500;
      const message = e instanceof HttpError ? e.message : `inference failed: ${e?.message ?? e}`;
      if (!res.headersSent) {
        sendJson(res, status, errorReply(status, message, url));
      } else if (!res.writableEnded) {
        res.end();
      }
    }
  });
  server.keepAliveTimeout = 60_000;

  const shutdown = () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
    // Whatever still holds the event loop (a generation in flight) does not keep the worker alive.
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.off('SIGTERM', exitNow);
  process.off('SIGINT', exitNow);
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);

  server.on('error', (e) => fatal(worker, `cannot listen on ${opts.host}:${opts.port}: ${e.message}`));
  server.listen(opts.port, opts.host, () => {
    const ready = { port: server.address().port, pid: process.pid };
    const line = JSON.stringify(ready);
    if (opts['port-file']) {
      const file = path.resolve(opts['port-file']);
      const tmp = `${file}.${process.pid}.tmp`;
      try {
        fs.writeFileSync(tmp, `${line}\n`);
        fs.renameSync(tmp, file);
      } catch (e) {
        fatal(worker, `cannot write the port file ${file}: ${e.message}`);
      }
    }
    process.stdout.write(`${line}\n`);
  });
  return server;
}
