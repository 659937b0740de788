// Shared by run_cache.mjs and run_crash.mjs: the emulator's port file and request log, the hfrun
// binary, the cache on disk, and checks that print what differed.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

export const REPO = "hfrun-conformance/nested-cache"; // cache_world.json
export const REPO_FOLDER = "models--hfrun-conformance--nested-cache";

export function setup(scriptName) {
	const [hfrun] = process.argv.slice(2);
	const portFile = process.env.HFRUN_EMULATOR_PORT_FILE;
	if (!hfrun || !existsSync(hfrun) || !portFile || !existsSync(portFile)) {
		console.error(`usage: scripts/emulator.sh run <hfrun-emulator> --world tests/conformance/cache_world.json -- node ${scriptName} <hfrun>`);
		process.exit(2);
	}
	const ports = JSON.parse(readFileSync(portFile, "utf8"));
	const work = mkdtempSync(path.join(tmpdir(), "hfrun-conformance-cache-"));
	return { hfrun, hub: ports.hub.replace(/\/$/, ""), token: ports.token, work };
}

// --- checks -----------------------------------------------------------------------------------

let passed = 0;
const failures = [];
export async function check(name, fn) {
	try {
		await fn();
		passed++;
		console.log(`ok   ${name}`);
	} catch (e) {
		failures.push(name);
		console.log(`FAIL ${name}\n     ${String(e?.stack ?? e).split("\n").join("\n     ")}`);
	}
}
export function finish(work) {
	rmSync(work, { recursive: true, force: true });
	console.log(`\n${passed} passed, ${failures.length} failed`);
	process.exit(failures.length === 0 ? 0 : 1);
}

// Every difference between two JSON-like values, one "at PATH: expected X, got Y" line each.
export function differences(expected, actual, at = "") {
	const show = (v) => (v === undefined ? "nothing" : JSON.stringify(v));
	if (Array.isArray(expected) && Array.isArray(actual)) {
		const out = [];
		for (let i = 0; i < Math.max(expected.length, actual.length); i++) out.push(...differences(expected[i], actual[i], `${at}[${i}]`));
		return out;
	}
	if (expected && actual && typeof expected === "object" && typeof actual === "object" && !Array.isArray(expected) && !Array.isArray(actual)) {
		const keys = [...new Set([...Object.keys(expected), ...Object.keys(actual)])].sort();
		return keys.flatMap((k) => differences(expected[k], actual[k], at ? `${at}.${k}` : k));
	}
	return Object.is(expected, actual) ? [] : [`at ${at || "(top)"}: expected ${show(expected)}, got ${show(actual)}`];
}
export function expectEqual(actual, expected, what) {
	const diff = differences(expected, actual);
	if (diff.length > 0) throw new Error(`${what} differs:\n  ${diff.join("\n  ")}`);
}

// --- hfrun ------------------------------------------------------------------------------------

// The environment of one hfrun run: its own HF_HOME and cache, nothing inherited that would
// point it elsewhere.
export function hfrunEnv(ctx, cache, more = {}) {
	const env = { ...process.env, HF_HOME: path.join(ctx.work, "hf-home"), HF_HUB_CACHE: cache, HF_ENDPOINT: ctx.hub, HF_TOKEN: ctx.token, HF_HUB_DISABLE_PROGRESS_BARS: "1", ...more };
	for (const name of ["HUGGINGFACE_HUB_CACHE", "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_TOKEN_PATH"]) if (!(name in more)) delete env[name];
	return env;
}
export function runHfrun(ctx, cache, args, more = {}) {
	const r = spawnSync(ctx.hfrun, args, { env: hfrunEnv(ctx, cache, more), encoding: "utf8", timeout: 60_000 });
	return { code: r.status, signal: r.signal, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}
// Starts hfrun without waiting; `done` resolves to {code, signal, stdout, stderr, ms}.
export function startHfrun(ctx, cache, args, more = {}) {
	const started = performance.now();
	const child = spawn(ctx.hfrun, args, { env: hfrunEnv(ctx, cache, more), stdio: ["ignore", "pipe", "pipe"] });
	let stdout = "";
	let stderr = "";
	child.stdout.on("data", (d) => (stdout += d));
	child.stderr.on("data", (d) => (stderr += d));
	const done = new Promise((resolve) => child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr, ms: performance.now() - started })));
	return { child, done };
}
export function expectExit(r, code, what) {
	if (r.code !== code) throw new Error(`${what}: expected exit ${code}, got ${r.code ?? r.signal}\n  stdout: ${r.stdout.trim()}\n  stderr: ${r.stderr.trim()}`);
}

// --- the emulator -----------------------------------------------------------------------------

export async function hubJson(ctx, route) {
	const r = await fetch(`${ctx.hub}${route}`, { headers: { Authorization: `Bearer ${ctx.token}` } });
	if (!r.ok) throw new Error(`GET ${route}: ${r.status}`);
	return r.json();
}
// The commit of a revision and the files of the tree at it (path -> {size, etag}).
export async function repoAt(ctx, revision) {
	const commit = (await hubJson(ctx, `/api/models/${REPO}/revision/${revision}`)).sha;
	const tree = await hubJson(ctx, `/api/models/${REPO}/tree/${commit}?recursive=true`);
	const files = new Map();
	for (const e of tree) if (e.type === "file") files.set(e.path, { size: e.size, etag: e.lfs ? e.lfs.oid : e.oid });
	return { commit, files };
}
export async function resetEmulator(ctx) {
	const r = await fetch(`${ctx.hub}/_emulator/reset`, { method: "POST" });
	if (!r.ok) throw new Error(`reset: ${r.status}`);
}
// The requests every role logged since the last reset, as "role METHOD path".
export async function requestLog(ctx) {
	const text = await (await fetch(`${ctx.hub}/_emulator/log`)).text();
	return text
		.split("\n")
		.filter((l) => l.trim())
		.map((l) => JSON.parse(l))
		.map((e) => `${e.role} ${e.method} ${e.path}`);
}
export async function addFault(ctx, rule) {
	const r = await fetch(`${ctx.hub}/_emulator/faults`, { method: "POST", body: JSON.stringify(rule) });
	if (!r.ok) throw new Error(`fault rule: ${r.status} ${await r.text()}`);
}

// --- the cache on disk ------------------------------------------------------------------------

export function exists(p) {
	try {
		lstatSync(p);
		return true;
	} catch {
		return false;
	}
}
// Every snapshot entry below `dir` (paths relative to it, "/"-separated), sorted.
export function snapshotEntries(dir, prefix = "") {
	if (!exists(dir)) return [];
	const out = [];
	for (const e of readdirSync(dir, { withFileTypes: true })) {
		if (e.isDirectory()) out.push(...snapshotEntries(path.join(dir, e.name), `${prefix}${e.name}/`));
		else out.push(`${prefix}${e.name}`);
	}
	return out.sort();
}
// snapshots/<commit>/<path> -> {target (the link's text), size (of what it resolves to, or null)}.
export function snapshotFile(snapshot, file) {
	const p = path.join(snapshot, file);
	let size = null;
	try {
		size = statSync(p).size;
	} catch {}
	return { target: lstatSync(p).isSymbolicLink() ? readlinkSync(p) : null, size };
}
export function blobNames(repoDir) {
	return exists(path.join(repoDir, "blobs")) ? readdirSync(path.join(repoDir, "blobs")).sort() : [];
}
// The relative link huggingface_hub, @huggingface/hub and hfrun make: ../../blobs/<etag>, one
// more ../ per folder of the path.
export function expectedLink(file, etag) {
	return `${"../".repeat(2 + file.split("/").length - 1)}blobs/${etag}`;
}
