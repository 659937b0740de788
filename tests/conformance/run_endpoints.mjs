// Conformance: the real `openai` and `ollama` npm clients and @huggingface/inference (endpointUrl)
// against the emulator's self-hosted inference servers (the endpoints role, docs/emulator.md,
// "Inference servers (the endpoints role)").
//
//   scripts/emulator.sh run <path to hfrun-emulator> [emulator args] -- node run_endpoints.mjs [data dir]
//
// Every check compares the client's result with an exact value: the text the emulator generates
// for the prompt ("You said: <last user message>" for chats), the same request sent with plain
// fetch, or the TEI /embed vector of the same text (every server embeds with one function). A
// failure is a disagreement between the emulator and a real client: the client wins, fix the
// emulator. Prints one line per check; exits 1 on any failure.
//
// Environment: HFRUN_EMULATOR_ENDPOINTS (set by scripts/emulator.sh).
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import OpenAI from "openai";
import { Ollama } from "ollama";
import * as hf from "@huggingface/inference";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const DATA = process.argv[2] ?? path.resolve(HERE, "../data");
const ENDPOINTS = (process.env.HFRUN_EMULATOR_ENDPOINTS ?? "").replace(/\/$/, "");
if (!ENDPOINTS) {
	console.error("usage: scripts/emulator.sh run <hfrun-emulator> -- node run_endpoints.mjs [data dir] (HFRUN_EMULATOR_ENDPOINTS is not set)");
	process.exit(2);
}
const server = (name) => `${ENDPOINTS}/servers/${name}`;

let failures = 0;
async function check(name, fn) {
	try {
		await fn();
		console.log(`ok   ${name}`);
	} catch (e) {
		failures += 1;
		console.log(`FAIL ${name}: ${e?.stack ?? e}`);
	}
}
function equal(actual, expected, what) {
	const a = JSON.stringify(actual);
	const b = JSON.stringify(expected);
	if (a !== b) throw new Error(`${what}: got ${a.slice(0, 300)}, expected ${b.slice(0, 300)}`);
}
async function postJson(url, body, headers = {}) {
	const r = await fetch(url, { method: "POST", headers: { "Content-Type": "application/json", ...headers }, body: JSON.stringify(body) });
	const text = await r.text();
	return { status: r.status, type: r.headers.get("content-type"), text, json: (() => { try { return JSON.parse(text); } catch { return undefined; } })() };
}
async function expectThrow(fn, test, what) {
	let error;
	try {
		await fn();
	} catch (e) {
		error = e;
	}
	if (!error) throw new Error(`${what}: no error`);
	test(error);
}

const PROMPT = "Hello there";
const CHAT = [{ role: "user", content: PROMPT }];
const REPLY = `You said: ${PROMPT}`;
const EMBED_TEXT = "a happy dog";
const teiVector = (await postJson(`${server("tei")}/embed`, { inputs: EMBED_TEXT })).json?.[0];

// ------------------------------------------------------------------------------------------------
// openai (baseURL {server}/v1)
const openaiServers = [
	{ name: "tgi", model: "tgi" },
	{ name: "vllm", model: "Qwen/Qwen2.5-7B-Instruct" },
	{ name: "llamacpp", model: "gemma-3-1b-it" },
	{ name: "ollama", model: "llama3.2:latest" },
];
for (const { name, model } of openaiServers) {
	const client = new OpenAI({ baseURL: `${server(name)}/v1`, apiKey: "unused", maxRetries: 0 });
	await check(`openai ${name}: chat.completions.create`, async () => {
		const out = await client.chat.completions.create({ model, messages: CHAT, max_tokens: 64 });
		equal(out.choices[0].message.content, REPLY, "content");
		equal(out.choices[0].finish_reason, "stop", "finish_reason");
	});
	await check(`openai ${name}: streamed chat`, async () => {
		const stream = await client.chat.completions.create({ model, messages: CHAT, stream: true });
		let text = "";
		let chunks = 0;
		for await (const chunk of stream) {
			chunks += 1;
			text += chunk.choices[0]?.delta?.content ?? "";
		}
		equal(text, REPLY, "streamed text");
		if (chunks < 3) throw new Error(`only ${chunks} chunks`);
	});
	await check(`openai ${name}: completions.create`, async () => {
		const body = { model, prompt: "The answer to the universe is", max_tokens: 8 };
		const out = await client.completions.create(body);
		const raw = await postJson(`${server(name)}/v1/completions`, body);
		equal(out.choices[0].text, raw.json.choices[0].text, "text");
		if (!out.choices[0].text) throw new Error("empty completion");
	});
}
for (const { name, model } of [
	{ name: "vllm-embed", model: "BAAI/bge-small-en-v1.5" },
	{ name: "llamacpp", model: "gemma-3-1b-it" },
	{ name: "ollama", model: "llama3.2:latest" },
	{ name: "tei", model: "BAAI/bge-small-en-v1.5" },
]) {
	await check(`openai ${name}: embeddings.create`, async () => {
		const client = new OpenAI({ baseURL: `${server(name)}/v1`, apiKey: "unused", maxRetries: 0 });
		const out = await client.embeddings.create({ model, input: EMBED_TEXT, encoding_format: "float" });
		equal(out.data.length, 1, "data");
		equal(out.data[0].embedding, teiVector, "embedding (TEI /embed of the same text)");
	});
}
await check("openai vllm: unknown model is a NotFoundError", async () => {
	const client = new OpenAI({ baseURL: `${server("vllm")}/v1`, apiKey: "unused", maxRetries: 0 });
	await expectThrow(
		() => client.chat.completions.create({ model: "other", messages: CHAT }),
		(e) => {
			equal(e.status, 404, "status");
			equal(e instanceof OpenAI.NotFoundError, true, "NotFoundError");
			equal(e.error?.message, "The model `other` does not exist.", "message");
		},
		"chat with model other",
	);
});
await check("openai tgi: mid-stream error reaches the client", async () => {
	const client = new OpenAI({ baseURL: `${server("tgi")}/v1`, apiKey: "unused", maxRetries: 0 });
	const stream = await client.chat.completions.create({ model: "tgi", messages: [{ role: "user", content: "__hfrun_stream_error__" }], stream: true });
	await expectThrow(async () => {
		for await (const chunk of stream) void chunk;
	}, (e) => {
		if (!String(e.message).includes("emulated failure")) throw new Error(`message: ${e.message}`);
	}, "stream");
});

// ------------------------------------------------------------------------------------------------
// ollama (host {server}/servers/ollama: formatHost keeps the URL's path)
const ollama = new Ollama({ host: server("ollama") });
await check("ollama: chat", async () => {
	const out = await ollama.chat({ model: "llama3.2", messages: CHAT });
	equal(out.message.content, REPLY, "content");
	equal(out.done, true, "done");
	equal(out.done_reason, "stop", "done_reason");
	equal(out.eval_count, 4, "eval_count (You, said:, Hello, there)");
});
await check("ollama: streamed chat", async () => {
	const stream = await ollama.chat({ model: "llama3.2", messages: CHAT, stream: true });
	let text = "";
	let last;
	for await (const part of stream) {
		text += part.message.content;
		last = part;
	}
	equal(text, REPLY, "streamed text");
	equal(last.done, true, "last part done");
});
await check("ollama: generate", async () => {
	const body = { model: "llama3.2", prompt: "Why is the sky blue?", options: { num_predict: 5 } };
	const out = await ollama.generate(body);
	const raw = await postJson(`${server("ollama")}/api/generate`, { ...body, stream: false });
	equal(out.response, raw.json.response, "response");
	equal(out.eval_count, 5, "eval_count");
	equal(out.done_reason, "length", "done_reason");
});
await check("ollama: embed", async () => {
	const out = await ollama.embed({ model: "llama3.2", input: [EMBED_TEXT, "x"] });
	equal(out.embeddings.length, 2, "embeddings");
	equal(out.embeddings[0], teiVector, "embedding (TEI /embed of the same text)");
});
await check("ollama: list", async () => {
	const out = await ollama.list();
	equal(out.models.map((m) => m.name), ["llama3.2:latest"], "models");
	equal(out.models[0].details.format, "gguf", "format");
});
await check("ollama: unknown model is a ResponseError 404", async () => {
	await expectThrow(
		() => ollama.chat({ model: "nope", messages: CHAT }),
		(e) => {
			equal(e.name, "ResponseError", "name");
			equal(e.status_code, 404, "status_code");
			equal(e.error, 'model "nope" not found, try pulling it first', "error");
		},
		"chat with model nope",
	);
});
await check("ollama: mid-stream error line throws", async () => {
	const stream = await ollama.chat({ model: "llama3.2", messages: [{ role: "user", content: "__hfrun_stream_error__" }], stream: true });
	await expectThrow(async () => {
		for await (const part of stream) void part;
	}, (e) => {
		if (!String(e.message).includes("emulated failure")) throw new Error(`message: ${e.message}`);
	}, "stream");
});

// ------------------------------------------------------------------------------------------------
// @huggingface/inference with endpointUrl
await check("hf.js: textClassification on toolkit-text-classification", async () => {
	const url = server("toolkit-text-classification");
	const out = await hf.textClassification({ endpointUrl: url, inputs: "I like you" });
	const raw = await postJson(url, { inputs: "I like you" });
	equal(out, raw.json[0], "labels");
	equal(out[0].label, "POSITIVE", "top label");
});
const tinyPng = readFileSync(path.join(DATA, "peer-captures", "tiny.png"));
await check("hf.js: imageClassification on toolkit-image-classification (image/png blob)", async () => {
	const url = server("toolkit-image-classification");
	const out = await hf.imageClassification({ endpointUrl: url, data: new Blob([tinyPng], { type: "image/png" }) });
	const raw = await fetch(url, { method: "POST", headers: { "Content-Type": "image/png" }, body: tinyPng });
	equal(out, await raw.json(), "labels");
});
await check("hf.js: imageClassification with an untyped blob is the toolkit's Content-Type error", async () => {
	await expectThrow(
		() => hf.imageClassification({ endpointUrl: server("toolkit-image-classification"), data: new Blob([tinyPng]) }),
		(e) => {
			if (!String(e.message).includes('Content type "None" not supported')) throw new Error(`message: ${e.message}`);
		},
		"untyped blob",
	);
});
await check("hf.js: textToImage on toolkit-text-to-image without Accept: JSON base64, not a Blob", async () => {
	await expectThrow(
		() => hf.textToImage({ endpointUrl: server("toolkit-text-to-image"), inputs: "a red square" }),
		(e) => {
			if (!String(e.message).includes("expected a Blob")) throw new Error(`message: ${e.message}`);
		},
		"textToImage",
	);
});
await check("hf.js: textToImage on toolkit-text-to-image with Accept: image/png", async () => {
	const url = server("toolkit-text-to-image");
	const withAccept = (input, init) => fetch(input, { ...init, headers: { ...init?.headers, Accept: "image/png" } });
	const blob = await hf.textToImage({ endpointUrl: url, inputs: "a red square" }, { fetch: withAccept });
	const raw = await postJson(url, { inputs: "a red square" });
	const bytes = Buffer.from(await blob.arrayBuffer());
	equal(bytes.toString("base64"), raw.json, "image bytes (the JSON answer's base64)");
	equal(bytes.subarray(0, 4).toString("hex"), "89504e47", "PNG magic");
});
await check("hf.js: featureExtraction on tei (POST / is /embed)", async () => {
	const out = await hf.featureExtraction({ endpointUrl: server("tei"), inputs: EMBED_TEXT });
	equal(out, [teiVector], "vectors");
});
await check("hf.js: chatCompletion on tgi", async () => {
	const out = await hf.chatCompletion({ endpointUrl: server("tgi"), messages: CHAT, max_tokens: 64 });
	equal(out.choices[0].message.content, REPLY, "content");
});
await check("hf.js: chatCompletionStream on tgi", async () => {
	let text = "";
	for await (const chunk of hf.chatCompletionStream({ endpointUrl: server("tgi"), messages: CHAT })) {
		text += chunk.choices[0]?.delta?.content ?? "";
	}
	equal(text, REPLY, "streamed text");
});
await check("hf.js: textGeneration on tgi (/v1/completions)", async () => {
	const out = await hf.textGeneration({ endpointUrl: server("tgi"), inputs: "The answer to the universe is", parameters: { max_new_tokens: 8 } });
	const raw = await postJson(`${server("tgi")}/v1/completions`, { prompt: "The answer to the universe is", max_tokens: 8 });
	equal(out.generated_text, raw.json.choices[0].text, "generated_text");
});

console.log(failures === 0 ? "all endpoint client checks passed" : `${failures} endpoint client check(s) failed`);
process.exit(failures === 0 ? 0 : 1);
