// Conformance: the official Hugging Face JS clients against hfrun-emulator.
//
//   scripts/emulator.sh run <path to hfrun-emulator> [emulator args] -- node run.mjs [data dir]
//
// Against the emulator the launcher started (its port file: HFRUN_EMULATOR_PORT_FILE), it
//  1. replays every inference call of tests/data/peer-captures/inference-requests.jsonl (same client
//     method, same arguments, same mode: endpointUrl, provider "hf-inference", auto, untyped Blobs)
//     through @huggingface/inference, whose hard-coded origins are rewritten to the emulator by the
//     client's documented `fetch` option (as the captures were made), and checks each call succeeds
//     and returns what the emulator means (its outputs are deterministic functions of the input);
//  2. runs chat on third-party providers, every other third-party pair it supports (speech,
//     embeddings, image-to-image, segmentation, video: queues polled), and the error paths;
//  3. lists a model tree and downloads files with @huggingface/hub pointed at the emulator's hub.
// A failure here is a disagreement between the emulator and the real clients: fix the emulator.
//
// Environment: HFRUN_EMULATOR_PORT_FILE (set by scripts/emulator.sh), HFRUN_EMULATOR_TOKEN (a token
// of the emulator's world; default: the "token" of the port file), HFRUN_CONFORMANCE_REPO / _FILE (the repo and file
// for the Hub part, default openai-community/gpt2 and config.json).
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { InferenceClient } from "@huggingface/inference";
import { downloadFile, listFiles } from "@huggingface/hub";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const PORT_FILE = process.env.HFRUN_EMULATOR_PORT_FILE;
// The fixtures copied into tests/data (tests/data/README.md says from where).
const SHARED = process.argv[2] ?? path.resolve(HERE, "../data");
if (!PORT_FILE || !existsSync(PORT_FILE)) {
	console.error("usage: scripts/emulator.sh run <hfrun-emulator> -- node run.mjs [data dir] (HFRUN_EMULATOR_PORT_FILE is not set)");
	process.exit(2);
}

// --- the emulator -------------------------------------------------------------------------------

function parsePortFile(text) {
	// JSON {"hub": url, "router": url, "cdn": url} (keys may end in _url), else "role url" / "role=url" lines.
	const urls = {};
	try {
		for (const [key, value] of Object.entries(JSON.parse(text))) urls[key.replace(/_url$/, "")] = value;
	} catch {
		for (const line of text.split("\n")) {
			const m = line.match(/^\s*(\w+)\s*[=:\s]\s*(https?:\/\/\S+)/);
			if (m) urls[m[1].replace(/_url$/, "")] = m[2];
		}
	}
	return urls.hub && urls.router ? urls : null;
}

// @huggingface/inference waits between fal-ai queue polls with an unref'd timer, so with no other
// handle open node would exit mid-check (status 13); this timer holds the event loop until the end.
const keepAlive = setInterval(() => {}, 60_000);
const urls = parsePortFile(readFileSync(PORT_FILE, "utf8"));
if (!urls) {
	console.error(`${PORT_FILE} names no hub and router`);
	process.exit(2);
}
// The port file names a token of the world's first user.
const TOKEN = process.env.HFRUN_EMULATOR_TOKEN ?? urls.token ?? "hf_test_token";
const ROUTER = urls.router.replace(/\/$/, "");
const HUB = urls.hub.replace(/\/$/, "");
const rewrite = (u) => u.replace(/^https:\/\/router\.huggingface\.co/, ROUTER).replace(/^https:\/\/huggingface\.co/, HUB);
const originalFetch = globalThis.fetch;
const rewritingFetch = (input, init) => {
	const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
	return originalFetch(rewrite(url), init);
};
// Some helpers (fal-ai queue polling, media downloads) call the global fetch, not the option.
globalThis.fetch = rewritingFetch;

// --- checks ---------------------------------------------------------------------------------------

let passed = 0;
const failures = [];
async function check(name, fn) {
	try {
		await fn();
		passed++;
		console.log(`ok   ${name}`);
	} catch (e) {
		failures.push(name);
		console.log(`FAIL ${name}: ${e?.name}: ${e?.message}`);
	}
}
function expect(cond, what) {
	if (!cond) throw new Error(`expected ${what}`);
}
const isScoreList = (r, labels) =>
	Array.isArray(r) && r.length > 0 && r.every((x) => typeof x.score === "number" && (!labels || labels.includes(x.label)));
const bytesOf = async (blob) => new Uint8Array(await blob.arrayBuffer());
const startsWith = (bytes, prefix) => prefix.every((b, i) => bytes[i] === b);
const JPEG = [0xff, 0xd8, 0xff];
const FLAC = [0x66, 0x4c, 0x61, 0x43];
const PNG = [0x89, 0x50, 0x4e, 0x47];

const png = readFileSync(path.join(SHARED, "peer-captures", "tiny.png"));
const wav = readFileSync(path.join(SHARED, "peer-captures", "tiny.wav"));
const TASKS = JSON.parse(readFileSync(path.join(SHARED, "peer-captures", "tools", "tasks.json"), "utf8"));
const blob = (bytes, type, typed) => new Blob([bytes], typed ? { type } : {});

// The arguments of each captured call (the call_args of the records, Blobs rebuilt).
const CALLS = {
	textClassification: () => ({ inputs: "I love this movie!" }),
	tokenClassification: () => ({ inputs: "My name is Sarah and I live in London" }),
	questionAnswering: () => ({ inputs: { question: "What is my name?", context: "My name is Clara and I live in Berkeley." } }),
	summarization: () => ({ inputs: "The tower is 324 metres (1,063 ft) tall, about the same height as an 81-storey building.", parameters: { max_length: 20 } }),
	translation: () => ({ inputs: "My name is Wolfgang and I live in Berlin" }),
	fillMask: () => ({ inputs: "Paris is the [MASK] of France." }),
	featureExtraction: () => ({ inputs: "That is a happy person" }),
	sentenceSimilarity: () => ({ inputs: { source_sentence: "That is a happy person", sentences: ["That is a happy dog", "Today is a sunny day"] } }),
	zeroShotClassification: () => ({ inputs: "I bought a device but it does not work, I want my money back!", parameters: { candidate_labels: ["refund", "legal", "faq"] } }),
	tableQuestionAnswering: () => ({ inputs: { query: "How many stars does the transformers repository have?", table: { Repository: ["Transformers", "Datasets", "Tokenizers"], Stars: ["36542", "4512", "3934"] } } }),
	textGeneration: () => ({ inputs: "The answer to the universe is", parameters: { max_new_tokens: 8, temperature: 0.5 } }),
	textGenerationStream: () => ({ inputs: "The answer to the universe is", parameters: { max_new_tokens: 8, temperature: 0.5 } }),
	chatCompletion: () => ({ messages: [{ role: "user", content: "Hello" }], max_tokens: 16, temperature: 0.1 }),
	chatCompletionStream: () => ({ messages: [{ role: "user", content: "Hello" }], max_tokens: 16, temperature: 0.1 }),
	textToImage: () => ({ inputs: "a tiny red square", parameters: { num_inference_steps: 2, width: 64, height: 64 } }),
	imageClassification: (typed) => ({ inputs: blob(png, "image/png", typed), parameters: { top_k: 2 } }),
	objectDetection: (typed) => ({ inputs: blob(png, "image/png", typed) }),
	imageSegmentation: (typed) => ({ inputs: blob(png, "image/png", typed), parameters: { threshold: 0.5 } }),
	imageToText: (typed) => ({ inputs: blob(png, "image/png", typed) }),
	automaticSpeechRecognition: (typed) => ({ inputs: blob(wav, "audio/wav", typed) }),
	audioClassification: (typed) => ({ inputs: blob(wav, "audio/wav", typed) }),
	textToSpeech: () => ({ inputs: "Hello world" }),
	zeroShotImageClassification: (typed) => ({ inputs: blob(png, "image/png", typed), parameters: { candidate_labels: ["gradient", "cat"] } }),
	visualQuestionAnswering: (typed) => ({ inputs: { image: blob(png, "image/png", typed), question: "What colour is it?" } }),
	documentQuestionAnswering: (typed) => ({ inputs: { image: blob(png, "image/png", typed), question: "What is the invoice number?" } }),
};

// What each result must be (the emulator's outputs for these inputs, by construction).
const VERIFY = {
	textClassification: (r) => expect(isScoreList(r, ["POSITIVE", "NEGATIVE"]) && Math.abs(r[0].score + r[1].score - 1) < 1e-4, "POSITIVE/NEGATIVE scores summing to 1"),
	tokenClassification: (r) => expect(Array.isArray(r) && r.map((e) => e.word).join(",") === "Sarah,London", "entities Sarah and London"),
	questionAnswering: (r) => expect("My name is Clara and I live in Berkeley.".slice(r.start, r.end) === r.answer && r.answer.length > 1, "an answer span of the context"),
	summarization: (r) => expect(typeof r.summary_text === "string" && r.summary_text.startsWith("The tower is 324"), "the first words as summary"),
	translation: (r) => expect(typeof r.translation_text === "string" && r.translation_text.startsWith("[de] "), "a [de] rendering"),
	fillMask: (r) => expect(Array.isArray(r) && r.length === 5 && r.every((x) => x.sequence.includes(x.token_str) && !x.sequence.includes("[MASK]")), "5 filled sequences"),
	featureExtraction: (r) => expect(Array.isArray(r) && r.length === 384 && Math.abs(Math.hypot(...r) - 1) < 1e-3, "a unit vector of 384"),
	sentenceSimilarity: (r) => expect(Array.isArray(r) && r.length === 2 && r[0] > r[1], "2 similarities, the closer sentence first"),
	zeroShotClassification: (r) => expect(isScoreList(r) && r.map((x) => x.label).sort().join() === "faq,legal,refund", "the candidate labels ranked"),
	tableQuestionAnswering: (r) => expect(["36542", "4512", "3934"].includes(r.cells[0]) && r.aggregator === "AVERAGE", "a Stars cell"),
	textGeneration: (r) => expect(typeof r.generated_text === "string" && r.generated_text.trim().split(" ").length === 8, "8 generated tokens"),
	textGenerationStream: (chunks) => expect(chunks.length === 8 && chunks.every((c) => typeof c.choices[0].text === "string"), "8 completion chunks"),
	chatCompletion: (r) => expect(r.choices[0].message.content === "You said: Hello" && r.choices[0].finish_reason === "stop", "the echo reply"),
	chatCompletionStream: (chunks) => expect(chunks.map((c) => c.choices[0]?.delta?.content ?? "").join("") === "You said: Hello", "the echo reply streamed"),
	textToImage: async (r) => expect(r instanceof Blob && r.type === "image/jpeg" && startsWith(await bytesOf(r), JPEG), "a JPEG Blob"),
	imageClassification: (r) => expect(isScoreList(r) && r.length === 5, "5 image labels (raw bodies carry no top_k)"),
	objectDetection: (r) => expect(r.length > 0 && r.every((x) => x.box.xmax <= 3 && x.box.ymax <= 3), "boxes inside the 4x4 image"),
	imageSegmentation: (r) => expect(r.length > 0 && r.every((x) => startsWith(Buffer.from(x.mask, "base64"), PNG)), "PNG masks"),
	imageToText: (r) => expect(/4 by 4 pixels$/.test(r.generated_text), "a caption naming the size"),
	automaticSpeechRecognition: (r) => expect(typeof r.text === "string" && r.text.length > 0, "a transcript"),
	audioClassification: (r) => expect(isScoreList(r, ["neu", "hap", "ang", "sad"]), "emotion labels"),
	textToSpeech: async (r) => expect(r instanceof Blob && r.type === "audio/flac" && startsWith(await bytesOf(r), FLAC), "a FLAC Blob"),
	zeroShotImageClassification: (r) => expect(isScoreList(r, ["gradient", "cat"]) && r.length === 2, "the 2 candidate labels"),
	visualQuestionAnswering: (r) => expect(typeof r.answer === "string" && typeof r.score === "number", "an answer"),
	documentQuestionAnswering: (r) => expect(/^us-\d+$/.test(r.answer), "an answer"),
};
const STREAMING = new Set(["textGenerationStream", "chatCompletionStream"]);

async function call(client, method, args) {
	if (!STREAMING.has(method)) return client[method](args);
	const chunks = [];
	for await (const chunk of client[method](args)) chunks.push(chunk);
	return chunks;
}

// 1. Every captured inference call.
const records = readFileSync(path.join(SHARED, "peer-captures", "inference-requests.jsonl"), "utf8")
	.trim()
	.split("\n")
	.map((l) => JSON.parse(l))
	.filter((r) => r.request_kind === "inference");
for (const record of records) {
	const method = record.client_method;
	const model = TASKS[method].model;
	await check(`${record.mode} ${method} (${record.url_path.split("?")[0]})`, async () => {
		const args = CALLS[method](record.mode !== "untyped");
		let client;
		if (record.mode === "endpoint" || record.mode === "untyped") {
			client = new InferenceClient(TOKEN, { endpointUrl: `${ROUTER}/hf-inference/models/${model}` });
		} else {
			client = new InferenceClient(TOKEN, { fetch: rewritingFetch });
			Object.assign(args, { model }, record.mode === "provider" ? { provider: "hf-inference" } : {});
		}
		await VERIFY[method](await call(client, method, args));
	});
}

// 2. Beyond the captures: determinism, providers, text-to-image elsewhere, errors.
const client = new InferenceClient(TOKEN, { fetch: rewritingFetch });
await check("image classification depends on the image bytes", async () => {
	const model = TASKS.imageClassification.model;
	const image = await client.textToImage({ model: TASKS.textToImage.model, provider: "hf-inference", inputs: "another picture", parameters: { width: 32, height: 32 } });
	const a = await client.imageClassification({ model, provider: "hf-inference", data: new Blob([png], { type: "image/png" }) });
	const b = await client.imageClassification({ model, provider: "hf-inference", data: image });
	const again = await client.imageClassification({ model, provider: "hf-inference", data: new Blob([png], { type: "image/png" }) });
	expect(JSON.stringify(a) === JSON.stringify(again), "the same answer for the same image");
	expect(JSON.stringify(a) !== JSON.stringify(b), "different answers for different images");
});
for (const provider of ["cerebras", "groq", "fireworks-ai", "novita", "together"]) {
	await check(`chat on ${provider} (provider route)`, async () => {
		const r = await client.chatCompletion({ model: "meta-llama/Llama-3.1-8B-Instruct", provider, messages: [{ role: "user", content: "Hi there" }] });
		expect(r.choices[0].message.content === "You said: Hi there", "the echo reply");
	});
}
await check("chat stream on cerebras with usage", async () => {
	const chunks = await call(client, "chatCompletionStream", {
		model: "meta-llama/Llama-3.1-8B-Instruct", provider: "cerebras", messages: [{ role: "user", content: "Count" }], stream_options: { include_usage: true },
	});
	expect(chunks.at(-1).usage?.total_tokens > 0 && chunks.at(-1).choices.length === 0, "a final usage chunk without choices");
});
for (const suffix of ["fastest", "cheapest", "preferred", "groq"]) {
	await check(`chat with :${suffix} on the router`, async () => {
		const r = await client.chatCompletion({ model: `openai/gpt-oss-120b:${suffix}`, messages: [{ role: "user", content: "Hi" }] });
		expect(r.choices[0].message.content === "You said: Hi", "the echo reply");
	});
}
await check("text-to-image on together (b64_json)", async () => {
	const r = await client.textToImage({ model: "black-forest-labs/FLUX.1-dev", provider: "together", inputs: "a lighthouse", parameters: { width: 64, height: 64 } });
	expect(r instanceof Blob && startsWith(await bytesOf(r), JPEG), "a JPEG Blob");
});
await check("text-to-image on fal-ai (queue, then the image URL)", async () => {
	const r = await client.textToImage({ model: "black-forest-labs/FLUX.1-dev", provider: "fal-ai", inputs: "a lighthouse", parameters: { width: 64, height: 48 } });
	expect(r instanceof Blob && startsWith(await bytesOf(r), JPEG), "a JPEG Blob");
});
// Every third-party (provider, task) pair beyond chat this client runs (docs/serverless.md's
// matrix), on the emulator's provider routes, queues and CDN.
const ascii = (bytes, from, to) => Buffer.from(bytes.subarray(from, to)).toString("latin1");
const isVideo = async (r) => r instanceof Blob && ascii(await bytesOf(r), 4, 8) === "ftyp";
const isWav = async (r) => r instanceof Blob && ascii(await bytesOf(r), 0, 4) === "RIFF";
const wavBlob = () => new Blob([wav], { type: "audio/wav" });
const pngBlob = () => new Blob([png], { type: "image/png" });
for (const provider of ["fal-ai", "deepinfra", "replicate", "together"]) {
	await check(`automatic-speech-recognition on ${provider}`, async () => {
		const r = await client.automaticSpeechRecognition({ model: "openai/whisper-large-v3", provider, data: wavBlob() });
		expect(typeof r.text === "string" && r.text.length > 0, "a transcript");
	});
}
for (const provider of ["deepinfra", "scaleway", "together"]) {
	await check(`feature-extraction on ${provider}`, async () => {
		const r = await client.featureExtraction({ model: "BAAI/bge-m3", provider, inputs: "That is a happy person" });
		const vector = Array.isArray(r[0]) ? r[0] : r;
		expect(vector.length === 1024 && typeof vector[0] === "number", "a 1024-dimension embedding");
	});
}
// novita is left out: this client posts its completions body ({prompt}) to Novita's chat route
// /v3/openai/chat/completions, huggingface_hub (and hfrun) to /v3/openai/completions.
for (const provider of ["deepinfra", "featherless-ai", "together", "ovhcloud", "scaleway"]) {
	await check(`text-generation on ${provider}`, async () => {
		const r = await client.textGeneration({ model: "Qwen/Qwen2.5-7B", provider, inputs: "Once upon", parameters: { max_new_tokens: 5 } });
		expect(typeof r.generated_text === "string" && r.generated_text.length > 0, "a completion");
	});
}
for (const provider of ["fal-ai", "deepinfra", "replicate", "together"]) {
	await check(`text-to-speech on ${provider}`, async () => {
		const r = await client.textToSpeech({ model: "hexgrad/Kokoro-82M", provider, inputs: "Hello world" });
		expect(await isWav(r), "a WAV Blob");
	});
}
for (const [provider, model] of [["deepinfra", "black-forest-labs/FLUX.1-dev"], ["wavespeed", "black-forest-labs/FLUX.1-dev"], ["zai-org", "zai-org/CogView4-6B"], ["replicate", "black-forest-labs/FLUX.1-dev"]]) {
	await check(`text-to-image on ${provider}`, async () => {
		const r = await client.textToImage({ model, provider, inputs: "a lighthouse" });
		expect(r instanceof Blob && startsWith(await bytesOf(r), JPEG), "a JPEG Blob");
	});
}
for (const provider of ["fal-ai", "replicate", "together", "wavespeed"]) {
	await check(`image-to-image on ${provider}`, async () => {
		const r = await client.imageToImage({ model: "black-forest-labs/FLUX.1-Kontext-dev", provider, inputs: pngBlob(), parameters: { prompt: "a sketch" } });
		expect(r instanceof Blob && startsWith(await bytesOf(r), JPEG), "a JPEG Blob");
	});
}
await check("image-segmentation on fal-ai (queue)", async () => {
	const r = await client.imageSegmentation({ model: "facebook/sam2.1-hiera-large", provider: "fal-ai", inputs: pngBlob() });
	expect(Array.isArray(r) && r.length > 0 && typeof r[0].mask === "string", "segments with a mask");
});
for (const provider of ["fal-ai", "novita", "replicate", "together", "wavespeed"]) {
	await check(`text-to-video on ${provider}`, async () => {
		const r = await client.textToVideo({ model: "Wan-AI/Wan2.1-T2V-14B", provider, inputs: "a cat playing piano" });
		expect(await isVideo(r), "an MP4 Blob");
	});
}
for (const provider of ["fal-ai", "together", "wavespeed"]) {
	await check(`image-to-video on ${provider}`, async () => {
		const r = await client.imageToVideo({ model: "Wan-AI/Wan2.1-I2V-14B-720P", provider, inputs: pngBlob(), parameters: { prompt: "it moves" } });
		expect(await isVideo(r), "an MP4 Blob");
	});
}
// The call must fail with the message (or, for OpenAI-style error objects, the response body).
async function rejects(fn, pattern, status) {
	try {
		await fn();
	} catch (e) {
		const seen = `${e?.message} ${JSON.stringify(e?.httpResponse?.body ?? "")}`;
		expect(pattern.test(seen), `an error matching ${pattern}, got "${seen}"`);
		if (status !== undefined) expect(e?.httpResponse?.status === status, `HTTP ${status}, got ${e?.httpResponse?.status}`);
		return;
	}
	throw new Error(`expected an error matching ${pattern}`);
}
await check("unknown model on the router is not supported", () =>
	rejects(() => client.chatCompletion({ model: "nobody/no-such-model", messages: [{ role: "user", content: "Hi" }] }), /not supported by any provider/, 400));
await check("unknown model on hf-inference does not exist", () =>
	rejects(() => new InferenceClient(TOKEN, { endpointUrl: `${ROUTER}/hf-inference/models/this-model-does-not-exist-123` }).fillMask({ inputs: "[MASK] world!" }), /does not exist/, 404));
await check("chat without a template answers the template error", () =>
	rejects(() => new InferenceClient(TOKEN, { endpointUrl: `${ROUTER}/hf-inference/models/google/gemma-2b` }).chatCompletion({ messages: [{ role: "user", content: "Hi" }] }), /Template error/, 422));
await check("an error inside a 200 stream is raised", () =>
	rejects(() => call(client, "chatCompletionStream", { model: "meta-llama/Llama-3.1-8B-Instruct", provider: "hf-inference", messages: [{ role: "user", content: "Hi" }], max_tokens: 100000 }), /Input validation error/));
await check("a bad token is refused", () =>
	rejects(() => new InferenceClient("hf_not_a_known_token", { fetch: rewritingFetch }).chatCompletion({ model: "meta-llama/Llama-3.1-8B-Instruct", messages: [{ role: "user", content: "Hi" }] }), /Invalid username or password/, 401));

await check("':auto' is rejected by the router", () =>
	rejects(() => client.chatCompletion({ model: "meta-llama/Llama-3.1-8B-Instruct:auto", messages: [{ role: "user", content: "Hi" }] }), /model_not_supported/, 400));
await check("a request recorded in the tapes gets the recorded answer", async () => {
	const r = await client.textClassification({ model: "distilbert/distilbert-base-uncased-finetuned-sst-2-english", provider: "hf-inference", inputs: "I like you. I love you." });
	expect(r[0].label === "POSITIVE" && r[0].score === 0.9998763799667358, "the recorded score 0.9998763799667358");
});
await check("the legacy api-inference path is gone (410)", async () => {
	const r = await originalFetch(`${ROUTER}/api-inference/models/gpt2`, { method: "POST", body: "{}", headers: { Authorization: `Bearer ${TOKEN}` } });
	const body = await r.json();
	expect(r.status === 410 && /no longer supported/.test(body.error), "410 and the recorded body");
});

// 3. The Hub part through @huggingface/hub.
const REPO = process.env.HFRUN_CONFORMANCE_REPO ?? "openai-community/gpt2";
const FILE = process.env.HFRUN_CONFORMANCE_FILE ?? "config.json";
const hubArgs = { repo: { type: "model", name: REPO }, hubUrl: HUB, accessToken: TOKEN, fetch: rewritingFetch };
let tree = [];
await check(`@huggingface/hub lists the tree of ${REPO}`, async () => {
	for await (const entry of listFiles({ ...hubArgs, recursive: true })) tree.push(entry);
	expect(tree.some((e) => e.path === FILE), `${FILE} in the tree`);
});
await check(`@huggingface/hub downloads ${FILE} with the listed hash`, async () => {
	const entry = tree.find((e) => e.path === FILE);
	expect(entry, `${FILE} listed`);
	const file = await downloadFile({ ...hubArgs, path: FILE });
	const bytes = Buffer.from(await file.arrayBuffer());
	expect(bytes.length === entry.size, `${entry.size} bytes, got ${bytes.length}`);
	if (entry.lfs) {
		expect(createHash("sha256").update(bytes).digest("hex") === entry.lfs.oid, "the LFS sha256");
	} else {
		const oid = createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
		expect(oid === entry.oid, "the git blob sha1");
	}
});
await check("@huggingface/hub downloads an LFS file of the tree with its sha256", async () => {
	const entry = tree.find((e) => e.lfs && e.size < 64 * 1024 * 1024);
	expect(entry, "an LFS file under 64 MiB in the tree");
	const file = await downloadFile({ ...hubArgs, path: entry.path });
	const bytes = Buffer.from(await file.arrayBuffer());
	expect(createHash("sha256").update(bytes).digest("hex") === entry.lfs.oid, "the LFS sha256");
});

clearInterval(keepAlive);
console.log(`\n${passed} passed, ${failures.length} failed`);
process.exit(failures.length === 0 ? 0 : 1);
