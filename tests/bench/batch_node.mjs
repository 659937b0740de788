// The Node side of tests/bench/batch_bench.sh: every line of a JSON Lines file ({"id": N, "text": "..."})
// through @huggingface/inference's textClassification, at most CONCURRENCY calls in flight (a
// Promise pool), one JSON row per line to OUT ({id, ok, result|error}), the way `hfrun --batch` does.
// Exit 0 when every row is ok, 10 when some failed (hfrun's code).
//
//   node tests/bench/batch_node.mjs ROUTER TOKEN MODEL IN.jsonl OUT.jsonl [CONCURRENCY=64]
//
// The client is the one tests/conformance installs (tests/conformance/setup.sh), imported from its
// node_modules; endpointUrl points it at the emulator's router, {ROUTER}/hf-inference/models/{MODEL},
// so it sends the same POST as hfrun and curl (no Hub lookup).
import { createReadStream, createWriteStream, readFileSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const [router, token, model, input, output, concurrencyArg] = process.argv.slice(2);
if (!output) {
	console.error("usage: batch_node.mjs ROUTER TOKEN MODEL IN.jsonl OUT.jsonl [CONCURRENCY]");
	process.exit(2);
}
const concurrency = Number(concurrencyArg ?? 64);

const pkgDir = path.join(HERE, "../conformance/node_modules/@huggingface/inference");
const pkg = JSON.parse(readFileSync(path.join(pkgDir, "package.json"), "utf8"));
const { InferenceClient } = await import(pathToFileURL(path.join(pkgDir, pkg.exports["."].import.default)).href);
const client = new InferenceClient(token, { endpointUrl: `${router.replace(/\/$/, "")}/hf-inference/models/${model}` });

const out = createWriteStream(output);
let failed = 0;
let inFlight = 0;
let wake = null; // resolves when a slot frees up
const running = new Set();

async function one(item) {
	let row;
	try {
		const result = await client.textClassification({ inputs: item.text });
		row = { id: item.id, ok: true, result };
	} catch (e) {
		failed++;
		row = { id: item.id, ok: false, error: String(e?.message ?? e) };
	}
	out.write(JSON.stringify(row) + "\n");
}

const lines = createInterface({ input: createReadStream(input), crlfDelay: Infinity });
for await (const line of lines) {
	if (!line.trim()) continue;
	while (inFlight >= concurrency) {
		await new Promise((r) => (wake = r));
	}
	inFlight++;
	const p = one(JSON.parse(line)).finally(() => {
		inFlight--;
		running.delete(p);
		if (wake) {
			const w = wake;
			wake = null;
			w();
		}
	});
	running.add(p);
}
await Promise.all(running);
await new Promise((r) => out.end(r));
process.exit(failed ? 10 : 0);
