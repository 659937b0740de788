// Conformance: the real @gradio/client (the newest 2.x and the last 1.x, 1.19.1) against the
// emulator's Gradio apps (docs/emulator.md, "Gradio"; the apps are world Spaces with a "gradio"
// object, tests/emulator/world/).
//
//   scripts/emulator.sh run <path to hfrun-emulator> [emulator args] -- node run_gradio.mjs [data dir]
//
// For each client version it connects to each app by its full URL (both clients hard-code
// huggingface.co for owner/name look-ups), reads view_api, and predicts/submits: echo, the 4.x
// echo without /gradio_api, calculator (a default filled in by the client, a State kept per
// session, a gr.Error), image-classifier with a real upload of tiny.png, image-generator (then its
// output file, whole and by Range), chatbot streaming (every update a prefix of the final reply,
// so the diffs were applied), broken (/explain's message reaches the client), slow-queue (status,
// progress and log events, then a cancel that ends the job and reaches the app), and the private
// app with and without the token. A failure is a disagreement between the emulator and the real
// client: the client wins, fix the emulator.
//
// Environment: HFRUN_EMULATOR_PORT_FILE (set by scripts/emulator.sh; its "gradio" and "hub" keys),
// HFRUN_EMULATOR_TOKEN (default: the port file's "token").
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as gradio2 from "@gradio/client";
import * as gradio1 from "gradio-client-1";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const DATA = process.argv[2] ?? path.resolve(HERE, "../data");
const PORT_FILE = process.env.HFRUN_EMULATOR_PORT_FILE;
if (!PORT_FILE || !existsSync(PORT_FILE)) {
	console.error("usage: scripts/emulator.sh run <hfrun-emulator> -- node run_gradio.mjs [data dir] (HFRUN_EMULATOR_PORT_FILE is not set)");
	process.exit(2);
}
let ports;
try {
	ports = JSON.parse(readFileSync(PORT_FILE, "utf8"));
} catch (e) {
	console.error(`${PORT_FILE} is not JSON: ${e.message}`);
	process.exit(2);
}
if (!ports.gradio || !ports.hub) {
	console.error(`${PORT_FILE} names no "gradio" and "hub" role: an emulator without the Gradio apps?`);
	process.exit(2);
}
const GRADIO = ports.gradio.replace(/\/$/, "");
const HUB = ports.hub.replace(/\/$/, "");
const TOKEN = process.env.HFRUN_EMULATOR_TOKEN ?? ports.token ?? "hf_emulator_user_token";
const TINY_PNG = path.join(DATA, "peer-captures", "tiny.png");
const app = (id) => `${GRADIO}/spaces/${id}`;

// Whatever a client asks of huggingface.co (the JWT of a Space with a token) goes to the emulator's
// hub, so that nothing leaves the machine.
const originalFetch = globalThis.fetch;
globalThis.fetch = (input, init) => {
	const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
	const rewritten = url.replace(/^https:\/\/huggingface\.co/, HUB);
	return originalFetch(rewritten === url ? input : rewritten, init);
};
// Open heartbeat streams must not keep node waiting once the checks are done; this timer keeps it
// alive until then.
const keepAlive = setInterval(() => {}, 60_000);

// The private Gradio app of the world: the private Space the Hub shows the token's user whose host is
// on the gradio role.
async function findPrivateApp() {
	const auth = { headers: { Authorization: `Bearer ${TOKEN}` } };
	const list = await (await originalFetch(`${HUB}/api/spaces?limit=1000`, auth)).json();
	for (const s of list.filter((x) => x.private)) {
		const host = await (await originalFetch(`${HUB}/api/spaces/${s.id}/host`, auth)).json();
		if (host.host === app(s.id)) return s.id;
	}
	return "hfrun-demo/private";
}
const PRIVATE = await findPrivateApp();

// --- checks ---------------------------------------------------------------------------------------

const results = []; // {version, name, ok, detail}
function expect(cond, what) {
	if (!cond) throw new Error(what);
}
function withTimeout(promise, ms, what) {
	let timer;
	return Promise.race([
		promise,
		new Promise((_, reject) => {
			timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
		}),
	]).finally(() => clearTimeout(timer));
}
async function check(version, name, fn) {
	try {
		await withTimeout(Promise.resolve().then(fn), 30_000, name);
		results.push({ version, name, ok: true });
		console.log(`ok   [${version}] ${name}`);
	} catch (e) {
		results.push({ version, name, ok: false, detail: e?.message ?? String(e) });
		console.log(`FAIL [${version}] ${name}: ${e?.message ?? e}`);
	}
}
const errorText = (e) => (typeof e === "string" ? e : e?.message ?? JSON.stringify(e));

async function gradioLog() {
	const r = await originalFetch(`${GRADIO}/_emulator/log?role=gradio`);
	return (await r.text())
		.split("\n")
		.filter(Boolean)
		.map((l) => JSON.parse(l));
}
async function clearLog() {
	await originalFetch(`${GRADIO}/_emulator/reset`, { method: "POST" });
}

// Calls `each` with the job's events until its status is complete or error. Not `for await`:
// 1.19.1's iterator never resolves next() once closed, so breaking out of (or running past the end
// of) a for-await loop hangs there.
async function drain(job, each = () => {}) {
	const it = job[Symbol.asyncIterator]();
	for (;;) {
		const { value: m, done } = await it.next();
		if (done) return;
		await each(m);
		if (m.type === "status" && (m.stage === "complete" || m.stage === "error")) return;
	}
}
// Runs a job to its end and returns its events by type.
async function collect(job) {
	const out = { data: [], status: [], log: [] };
	await drain(job, (m) => (out[m.type] ??= []).push(m));
	return out;
}

async function suite(version, lib) {
	const { Client, handle_file } = lib;
	const connect = (id, opts = {}) => Client.connect(app(id), { events: ["data", "status", "log"], ...opts });
	const clients = [];
	const open = async (id, opts) => {
		const c = await connect(id, opts);
		clients.push(c);
		return c;
	};

	await check(version, "echo: view_api names /predict(name: str)", async () => {
		const c = await open("hfrun-demo/echo");
		const api = await c.view_api();
		const ep = api.named_endpoints["/predict"];
		expect(ep, `named_endpoints has /predict: ${JSON.stringify(Object.keys(api.named_endpoints))}`);
		expect(ep.parameters.length === 1, `one parameter, got ${ep.parameters.length}`);
		const p = ep.parameters[0];
		expect(p.parameter_name === "name" && p.component === "Textbox" && p.parameter_has_default === false,
			`name, Textbox, required: ${JSON.stringify(p)}`);
		expect(ep.returns.length === 1 && ep.returns[0].component === "Textbox", `one Textbox return: ${JSON.stringify(ep.returns)}`);
	});
	await check(version, "echo: predict by keyword and by position", async () => {
		const c = await open("hfrun-demo/echo");
		const byName = await c.predict("/predict", { name: "cat" });
		expect(JSON.stringify(byName.data) === JSON.stringify(["Hello, cat!"]), `data ${JSON.stringify(byName.data)}`);
		const byPosition = await c.predict("/predict", ["dog"]);
		expect(JSON.stringify(byPosition.data) === JSON.stringify(["Hello, dog!"]), `data ${JSON.stringify(byPosition.data)}`);
	});
	await check(version, "echo-v4 (Gradio 4.44.1): predict on routes without /gradio_api", async () => {
		await clearLog();
		const c = await open("hfrun-demo/echo-v4");
		const r = await c.predict("/predict", { name: "cat" });
		expect(JSON.stringify(r.data) === JSON.stringify(["Hello, cat!"]), `data ${JSON.stringify(r.data)}`);
		const paths = (await gradioLog()).map((e) => e.path);
		expect(paths.includes("/spaces/hfrun-demo/echo-v4/queue/join"), `a join at the root: ${paths.join(", ")}`);
		expect(!paths.some((p) => p.includes("/gradio_api/")), `no /gradio_api route: ${paths.join(", ")}`);
	});
	for (const id of ["hfrun-demo/echo-v2", "hfrun-demo/echo-v1"]) {
		await check(version, `${id.split("/")[1]}: predict on an older queue protocol`, async () => {
			const c = await open(id);
			const r = await c.predict("/predict", { name: "cat" });
			expect(JSON.stringify(r.data) === JSON.stringify(["Hello, cat!"]), `data ${JSON.stringify(r.data)}`);
		});
	}

	await check(version, "calculator: view_api has /add, /operate, /remember; defaults; no State", async () => {
		const c = await open("hfrun-demo/calculator");
		const api = await c.view_api();
		const names = Object.keys(api.named_endpoints).sort();
		expect(JSON.stringify(names) === JSON.stringify(["/add", "/operate", "/remember"]), `endpoints ${names}`);
		const b = api.named_endpoints["/add"].parameters.find((p) => p.parameter_name === "b");
		expect(b && b.parameter_has_default && b.parameter_default === 1, `b defaults to 1: ${JSON.stringify(b)}`);
		const op = api.named_endpoints["/operate"].parameters.find((p) => p.parameter_name === "operation");
		expect(op && op.parameter_default === "add" && op.component === "Radio", `operation Radio default add: ${JSON.stringify(op)}`);
		// The client itself adds the State input (component "state", no name) from the config.
		const remember = api.named_endpoints["/remember"].parameters.filter((p) => p.component !== "state").map((p) => p.parameter_name);
		expect(JSON.stringify(remember) === JSON.stringify(["value"]), `/remember takes value only: ${remember}`);
	});
	await check(version, "calculator: /add fills b's default, /operate multiplies", async () => {
		const c = await open("hfrun-demo/calculator");
		const add = await c.predict("/add", { a: 2 });
		expect(add.data[0] === 3, `2 + default 1 = 3, got ${JSON.stringify(add.data)}`);
		const mul = await c.predict("/operate", { a: 6, operation: "multiply", b: 7 });
		expect(mul.data[0] === 42, `6 * 7, got ${JSON.stringify(mul.data)}`);
	});
	await check(version, "calculator: /remember keeps its State per session", async () => {
		const c = await open("hfrun-demo/calculator");
		const first = await c.predict("/remember", { value: 5 });
		expect(first.data[0] === 5, `first total 5, got ${JSON.stringify(first.data)}`);
		const second = await c.predict("/remember", { value: 2 });
		expect(second.data[0] === 7, `second total 5 + 2, got ${JSON.stringify(second.data)}`);
		const other = await (await open("hfrun-demo/calculator")).predict("/remember", { value: 1 });
		expect(other.data[0] === 1, `a new session starts from 0, got ${JSON.stringify(other.data)}`);
	});
	await check(version, "calculator: divide by zero is the app's gr.Error", async () => {
		const c = await open("hfrun-demo/calculator");
		let error;
		try {
			await c.predict("/operate", { a: 6, operation: "divide", b: 0 });
		} catch (e) {
			error = e;
		}
		expect(error, "predict rejects");
		expect(errorText(error).includes("Cannot divide by zero"), `the app's message, got ${errorText(error)}`);
	});

	await check(version, "image-classifier: handle_file uploads tiny.png, the label comes back", async () => {
		await clearLog();
		const c = await open("hfrun-demo/image-classifier");
		const api = await c.view_api();
		const p = api.named_endpoints["/predict"].parameters[0];
		expect(p.component === "Image" && p.python_type.type === "filepath", `an Image filepath: ${JSON.stringify(p)}`);
		const r = await c.predict("/predict", { image: handle_file(TINY_PNG) });
		const label = r.data[0];
		expect(label && typeof label.label === "string", `a Label: ${JSON.stringify(r.data)}`);
		expect(Array.isArray(label.confidences) && label.confidences.some((x) => x.label === label.label),
			`confidences name the label: ${JSON.stringify(label)}`);
		const sum = label.confidences.reduce((s, x) => s + x.confidence, 0);
		expect(sum <= 1.000001, `confidences sum to at most 1, got ${sum}`);
		const uploads = (await gradioLog()).filter((e) => e.method === "POST" && e.path.endsWith("/gradio_api/upload"));
		expect(uploads.length === 1 && uploads[0].status === 200, `one upload answered 200: ${JSON.stringify(uploads)}`);
		const again = await c.predict("/predict", { image: handle_file(TINY_PNG) });
		expect(again.data[0].label === label.label, "the same file, the same label");
	});
	await check(version, "image-generator: a FileData whose url serves the PNG, also by Range", async () => {
		const c = await open("hfrun-demo/image-generator");
		const r = await c.predict("/generate", { prompt: "a cat" });
		const f = r.data[0];
		expect(f && typeof f.url === "string" && f.orig_name === "image.png", `FileData: ${JSON.stringify(f)}`);
		expect(f.url.startsWith(`${app("hfrun-demo/image-generator")}/gradio_api/file=`), `url on the app: ${f.url}`);
		const whole = await originalFetch(f.url);
		const bytes = Buffer.from(await whole.arrayBuffer());
		expect(whole.status === 200 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
			`200 and a PNG signature, got ${whole.status}`);
		expect(f.size === null || f.size === bytes.length, `size ${f.size} = ${bytes.length} bytes`);
		const part = await originalFetch(f.url, { headers: { Range: "bytes=1-3" } });
		const partBytes = Buffer.from(await part.arrayBuffer());
		expect(part.status === 206 && partBytes.toString("latin1") === "PNG", `206 "PNG", got ${part.status} ${JSON.stringify(partBytes.toString("latin1"))}`);
		const other = await c.predict("/generate", { prompt: "a cat", steps: 5 });
		const otherBytes = Buffer.from(await (await originalFetch(other.data[0].url)).arrayBuffer());
		expect(createHash("sha256").update(otherBytes).digest("hex") !== createHash("sha256").update(bytes).digest("hex"),
			"other steps, another image");
	});

	await check(version, "chatbot: submit streams updates, each a prefix of the final reply", async () => {
		const c = await open("hfrun-demo/chatbot");
		const events = await collect(c.submit("/chat", { message: "hello there friend" }));
		const values = events.data.map((m) => m.data[0]);
		const final = "You said: hello there friend";
		expect(values.length >= 3, `several updates, got ${JSON.stringify(values)}`);
		expect(values[values.length - 1] === final, `ends with the whole reply: ${JSON.stringify(values)}`);
		for (const v of values) expect(typeof v === "string" && final.startsWith(v), `"${v}" is a prefix of the reply`);
		expect(values[0] !== final, `the first update is partial: ${JSON.stringify(values)}`);
	});

	await check(version, "broken: /explain's gr.Error message reaches the client", async () => {
		const c = await open("hfrun-demo/broken");
		let error;
		try {
			await c.predict("/explain", { text: "x" });
		} catch (e) {
			error = e;
		}
		expect(error && errorText(error).includes("The input was rejected: x"), `the app's message, got ${errorText(error)}`);
	});
	await check(version, "broken: /predict fails without details (show_error off)", async () => {
		const c = await open("hfrun-demo/broken");
		let error;
		try {
			await c.predict("/predict", { text: "x" });
		} catch (e) {
			error = e;
		}
		expect(error, "predict rejects");
	});

	await check(version, "slow-queue: queue position, progress and the app's log arrive, then it completes", async () => {
		const c = await open("hfrun-demo/slow-queue");
		const events = await collect(c.submit("/predict", { seconds: 1 }));
		expect(JSON.stringify(events.data.at(-1)?.data) === JSON.stringify(["done after 1s"]), `data ${JSON.stringify(events.data)}`);
		expect(events.status.some((s) => s.stage === "pending" && s.position >= 1), `a queue position: ${JSON.stringify(events.status)}`);
		expect(events.status.some((s) => Array.isArray(s.progress_data) && s.progress_data[0]?.desc === "denoising"),
			`progress: ${JSON.stringify(events.status)}`);
		expect(events.log.some((l) => l.log === "warming up"), `the log line: ${JSON.stringify(events.log)}`);
	});
	await check(version, "slow-queue: cancel ends the job at once and reaches the app", async () => {
		await clearLog();
		const c = await open("hfrun-demo/slow-queue");
		const job = c.submit("/predict", { seconds: 8 });
		const started = Date.now();
		let cancelled = false;
		const seen = [];
		// The app's log line comes once it runs (process_starts is still stage "pending").
		await drain(job, async (m) => {
			seen.push(m.type === "status" ? `status:${m.stage}` : m.type);
			if (!cancelled && m.type === "log") {
				cancelled = true;
				await job.cancel();
			}
		});
		expect(cancelled, `the job started: ${seen.join(" ")}`);
		expect(Date.now() - started < 5000, `ended ${Date.now() - started} ms after the submit, not after 8 s`);
		const posts = (await gradioLog()).filter((e) => e.method === "POST").map((e) => e.path);
		expect(posts.includes("/spaces/hfrun-demo/slow-queue/gradio_api/cancel"), `POST /cancel logged: ${posts.join(", ")}`);
	});

	await check(version, `private (${PRIVATE}): refused without the token, answered with it`, async () => {
		let refused;
		try {
			await Client.connect(app(PRIVATE));
		} catch (e) {
			refused = e;
		}
		expect(refused, "connect without a token rejects");
		await clearLog();
		// 1.x names the option hf_token, 2.x token (hf_token is its deprecated alias).
		const c = await open(PRIVATE, { token: TOKEN, hf_token: TOKEN });
		const r = await c.predict("/predict", { name: "cat" });
		expect(JSON.stringify(r.data) === JSON.stringify(["Hello, cat!"]), `data ${JSON.stringify(r.data)}`);
		const joins = (await gradioLog()).filter((e) => e.path.endsWith("/queue/join"));
		expect(joins.length === 1 && joins[0].headers.authorization === "<present>", `the join carried Authorization: ${JSON.stringify(joins)}`);
	});

	for (const c of clients) {
		try {
			c.close();
		} catch {
			// a client whose streams are already closed
		}
	}
}

await suite(`@gradio/client ${JSON.parse(readFileSync(path.join(HERE, "node_modules/@gradio/client/package.json"), "utf8")).version}`, gradio2);
await suite(`@gradio/client ${JSON.parse(readFileSync(path.join(HERE, "node_modules/gradio-client-1/package.json"), "utf8")).version}`, gradio1);

clearInterval(keepAlive);
const failed = results.filter((r) => !r.ok);
console.log(`\n${results.length - failed.length} passed, ${failed.length} failed`);
for (const f of failed) console.log(`  [${f.version}] ${f.name}: ${f.detail}`);
process.exit(failed.length === 0 ? 0 : 1);
