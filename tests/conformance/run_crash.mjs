// Crash safety of `hfrun download`: SIGKILL at 50 moments of a multi-file download, then the cache
// is checked with `hfrun cache verify` and @huggingface/hub's scanCacheDir, and a rerun must
// complete it; and eight concurrent downloaders of one model into one cache.
//
//   scripts/emulator.sh run <hfrun-emulator> --world tests/conformance/cache_world.json -- \
//       node tests/conformance/run_crash.mjs <hfrun>
//
// The killed runs download through a fault rule `bandwidth=B` on every role (docs/emulator.md,
// "Faults"), which caps each response body at B bytes/s, so the download of
// hfrun-conformance/nested-cache (LFS files of 1 to 8 MiB and small regular ones, in folders) lasts
// about three seconds; the 20 MiB file, fetched as byte ranges, is slowed by a stall instead. The
// kills are at 2%, 4%, ..., 100% of the shortest of three measured capped runs, each into a fresh
// cache. The reruns go uncapped (the rules removed), so the suite stays under two minutes.
//
// What a killed download may leave, and what each state must answer (docs/cache.md,
// docs/download.md, src/cache/inspect.cpp; refs/ is written last, once every file landed; whether
// snapshots/<commit>/ is made before or after the fetches is the engine's choice, so both states
// are accepted):
//   nothing          no repo folder: `cache verify` exits 4 (not in the cache); scanCacheDir
//                    lists nothing and warns nothing.
//   blobs only       blobs/ (complete blobs and *.incomplete files), no snapshots/ yet: `cache
//                    verify` exits 9 with exactly one problem, `layout snapshots` ("no snapshots/
//                    folder"); scanCacheDir lists no repo and gives one warning, ENOENT on
//                    snapshots/ (huggingface_hub's scan_cache_dir also calls such a folder
//                    corrupted).
//   linked, no ref   snapshots/<commit>/ with some or all links, no refs/: `cache verify` exits 0;
//                    scanCacheDir gives one warning, ENOENT on refs/ (it stats refs/ unconditionally).
//   complete         refs/main: every file linked with its full size; verify exits 0; scanCacheDir
//                    lists the repo with its refs and files.
// In every state: no corrupt blob, no dangling link, no ref to a missing snapshot, every blob and
// link is one of the tree's files with its full size, and refs/main only once every file landed.
import path from "node:path";
import { readFileSync, statSync } from "node:fs";
import { scanCacheDir } from "@huggingface/hub";
import {
	REPO,
	REPO_FOLDER,
	setup,
	check,
	finish,
	expectEqual,
	runHfrun,
	startHfrun,
	expectExit,
	repoAt,
	resetEmulator,
	addFault,
	snapshotEntries,
	snapshotFile,
	blobNames,
	expectedLink,
	exists,
} from "./cache_support.mjs";

const ctx = setup("run_crash.mjs");
const CAP = 5_000_000; // bytes/s per response: the 8 MiB file takes about 1.7 s
const KILLS = 50;
const main = await repoAt(ctx, "main");
const allFiles = [...main.files.keys()].sort();
const topLevel = allFiles.filter((f) => !f.includes("/"));
const etags = [...new Set(allFiles.map((f) => main.files.get(f).etag))].sort();
const sizeOfEtag = new Map(allFiles.map((f) => [main.files.get(f).etag, main.files.get(f).size]));
let cacheNumber = 0;
const freshCache = () => path.join(ctx.work, `cache-${++cacheNumber}`);
const repoDirOf = (cache) => path.join(cache, REPO_FOLDER);
const snapshotOf = (cache) => path.join(repoDirOf(cache), "snapshots", main.commit);

// The emulator shapes only whole bodies, not Range answers (tests/emulator/faults.cpp,
// apply_fault), and hfrun fetches files from 16 MiB on as byte ranges: the CDN holds each range of
// the 20 MiB file STALL_MS before its headers instead, so kills also land between its parts.
const RANGED = "text_encoder_2/model.safetensors";
const STALL_MS = 500;
const rangedCdnPath = await (async () => {
	const r = await fetch(`${ctx.hub}/${REPO}/resolve/${main.commit}/${RANGED}`, { redirect: "manual", headers: { Authorization: `Bearer ${ctx.token}` } });
	return new URL(r.headers.get("location")).pathname;
})();
async function capped() {
	await resetEmulator(ctx);
	// The first matching rule applies: the stall for the large file, the cap for everything else.
	await addFault(ctx, [
		{ path_prefix: rangedCdnPath, fault: `stall_ms=${STALL_MS}`, role: "cdn" },
		{ path_prefix: "/", fault: `bandwidth=${CAP}`, role: "any" },
	]);
}

// The state a run left, read from disk.
function stateOf(cache) {
	const repoDir = repoDirOf(cache);
	if (!exists(repoDir)) return "nothing";
	if (!exists(path.join(repoDir, "snapshots"))) return "blobs only";
	if (!exists(path.join(repoDir, "refs"))) return "linked, no ref";
	return "complete";
}

// The checks every state must pass; `state` says which answers verify and the scanner owe.
async function checkCache(cache, state) {
	const repoDir = repoDirOf(cache);
	// verify
	const verify = runHfrun(ctx, cache, ["cache", "verify", REPO, "--json"]);
	if (state === "nothing") {
		expectExit(verify, 4, "hfrun cache verify");
	} else if (state === "blobs only") {
		expectExit(verify, 9, "hfrun cache verify");
		expectEqual(JSON.parse(verify.stdout).problems, [{ kind: "layout", path: "snapshots", detail: "no snapshots/ folder" }], "verify's problems");
	} else {
		expectExit(verify, 0, "hfrun cache verify");
		expectEqual(JSON.parse(verify.stdout).problems, [], "verify's problems");
	}
	// blobs: only the tree's etags, each with its full size (verify re-hashed them), and partial files
	const blobs = blobNames(repoDir).filter((b) => !b.endsWith(".incomplete"));
	const stray = blobs.filter((b) => !sizeOfEtag.has(b) || statSync(path.join(repoDir, "blobs", b)).size !== sizeOfEtag.get(b));
	expectEqual(stray, [], "blobs that are not a tree file's etag at its full size");
	const partial = blobNames(repoDir).filter((b) => b.endsWith(".incomplete") && !sizeOfEtag.has(b.split(".")[0]));
	expectEqual(partial, [], ".incomplete files of no tree file");
	// snapshot links: only this commit, each a tree file, linked to its blob, at full size
	const commits = exists(path.join(repoDir, "snapshots")) ? snapshotEntries(path.join(repoDir, "snapshots")).map((e) => e.split("/")[0]) : [];
	expectEqual([...new Set(commits)].filter((c) => c !== main.commit), [], "snapshots of other commits");
	const linked = snapshotEntries(snapshotOf(cache));
	for (const f of linked) {
		const want = main.files.get(f);
		expectEqual(snapshotFile(snapshotOf(cache), f), want ? { target: expectedLink(f, want.etag), size: want.size } : "not in the tree", `snapshots/${main.commit}/${f}`);
	}
	// refs: refs/main and only once every file landed
	const refsDir = path.join(repoDir, "refs");
	const refs = exists(refsDir) ? snapshotEntries(refsDir) : [];
	if (state === "complete") {
		expectEqual({ refs, main: readFileSync(path.join(refsDir, "main"), "utf8"), linked }, { refs: ["main"], main: main.commit, linked: allFiles }, "a complete repo's refs and links");
	} else {
		expectEqual(refs, [], "refs/ of an incomplete download");
	}
	// @huggingface/hub's scanner. A kill that lands before hfrun made the cache folder at all (early
	// kills of a slower build, such as the sanitizers' one) leaves no cache to scan: the scanner, like
	// huggingface_hub's scan_cache_dir, refuses a folder that does not exist, so it is not asked.
	if (!exists(cache)) {
		expectEqual(state, "nothing", "the state when no cache folder was made");
		return;
	}
	const scan = await scanCacheDir(cache);
	const warnings = scan.warnings.map((w) => ({ code: w.code, path: w.path }));
	const listed = scan.repos.map((r) => ({
		name: r.id.name,
		revisions: r.revisions.map((v) => ({ commitOid: v.commitOid, refs: v.refs, files: v.files.map((f) => ({ file: path.relative(v.path, f.path), size: f.blob.size })).sort((a, b) => a.file.localeCompare(b.file)) })),
	}));
	const expected = {
		nothing: { warnings: [], listed: [] },
		"blobs only": { warnings: [{ code: "ENOENT", path: path.join(repoDir, "snapshots") }], listed: [] },
		"linked, no ref": { warnings: [{ code: "ENOENT", path: path.join(repoDir, "refs") }], listed: [] },
		complete: {
			warnings: [],
			listed: [{ name: REPO, revisions: [{ commitOid: main.commit, refs: ["main"], files: [...topLevel].sort((a, b) => a.localeCompare(b)).map((f) => ({ file: f, size: main.files.get(f).size })) }] }],
		},
	}[state];
	expectEqual({ warnings, listed }, expected, "scanCacheDir");
}

// A complete rerun, uncapped: exit 0, the snapshot path, everything checked; then `cache prune`
// removes exactly the partial files the killed run left, and nothing else.
async function rerunCompletes(cache) {
	await resetEmulator(ctx);
	const r = runHfrun(ctx, cache, ["download", REPO]);
	expectExit(r, 0, "the rerun");
	expectEqual(r.stdout, `${snapshotOf(cache)}\n`, "the rerun's printed path");
	expectEqual(stateOf(cache), "complete", "the state after the rerun");
	await checkCache(cache, "complete");
	const leftovers = blobNames(repoDirOf(cache))
		.filter((b) => b.endsWith(".incomplete"))
		.map((b) => path.join(repoDirOf(cache), "blobs", b));
	const prune = runHfrun(ctx, cache, ["cache", "prune", "--yes", "--json"]);
	expectExit(prune, 0, "hfrun cache prune --yes --json");
	expectEqual([...JSON.parse(prune.stdout).paths].sort(), leftovers, "what prune removed");
	expectEqual(blobNames(repoDirOf(cache)), etags, "blobs/ after prune: one per etag");
	await checkCache(cache, "complete");
	return leftovers.length;
}

// --- three capped runs, measured ------------------------------------------------------------------

// The shortest of three uninterrupted runs sets the time scale (a loaded machine makes some runs
// slower; kills past the end of the download would check nothing new).
let duration = 0;
await check(`3 uninterrupted capped downloads (${CAP} B/s per response) complete and last long enough to kill inside`, async () => {
	const took = [];
	for (let i = 0; i < 3; i++) {
		const cache = freshCache();
		await capped();
		const r = await startHfrun(ctx, cache, ["download", REPO]).done;
		expectExit(r, 0, "hfrun download");
		took.push(Math.round(r.ms));
		await checkCache(cache, "complete");
	}
	duration = Math.min(...took);
	console.log(`     uninterrupted runs took ${took.join(", ")} ms`);
	expectEqual(duration >= 1000, true, `capped downloads of at least 1000 ms (they took ${took.join(", ")} ms)`);
});

// --- 50 kills -----------------------------------------------------------------------------------

const tally = { killed: 0, finished: 0, states: {}, leftovers: 0, partials: 0 };
if (duration > 0) {
	for (let k = 1; k <= KILLS; k++) {
		const at = Math.round((duration * k) / KILLS);
		await check(`SIGKILL at ${(100 * k) / KILLS}% (${at} ms): the cache verifies and scans as its state says, a rerun completes it`, async () => {
			const cache = freshCache();
			await capped();
			const run = startHfrun(ctx, cache, ["download", REPO]);
			const timer = setTimeout(() => run.child.kill("SIGKILL"), at);
			const r = await run.done;
			clearTimeout(timer);
			if (r.signal === "SIGKILL") {
				tally.killed++;
			} else {
				expectExit(r, 0, "a run that finished before its kill");
				tally.finished++;
			}
			tally.partials += blobNames(repoDirOf(cache)).filter((b) => b.endsWith(".parts.incomplete")).length;
			const state = stateOf(cache);
			tally.states[state] = (tally.states[state] ?? 0) + 1;
			if (r.signal !== "SIGKILL") expectEqual(state, "complete", "the state after a finished run");
			await checkCache(cache, state);
			tally.leftovers += await rerunCompletes(cache);
		});
	}
	console.log(`     ${tally.killed} killed, ${tally.finished} finished first; states after the kills: ${JSON.stringify(tally.states)}; ${tally.partials} part journals of ${RANGED} left by kills; ${tally.leftovers} .incomplete files pruned after reruns`);
	await check("most kills landed inside the download (at least 38 of 50 runs killed)", () => {
		expectEqual(tally.killed >= 38, true, `at least 38 runs killed (${tally.killed} were)`);
	});
}

// --- eight concurrent downloaders ---------------------------------------------------------------

await check("8 concurrent hfrun download of one model into one cache: all exit 0, one copy of each blob, nothing partial", async () => {
	const cache = freshCache();
	await capped();
	const runs = [0, 1, 2, 3, 4, 5, 6, 7].map(() => startHfrun(ctx, cache, ["download", REPO]));
	const results = await Promise.all(runs.map((r) => r.done));
	expectEqual(
		results.map((r) => ({ code: r.code, signal: r.signal, stdout: r.stdout })),
		results.map(() => ({ code: 0, signal: null, stdout: `${snapshotOf(cache)}\n` })),
		"the eight runs",
	);
	expectEqual(blobNames(repoDirOf(cache)), etags, "blobs/: one per etag, no .incomplete");
	await checkCache(cache, "complete");
});

await resetEmulator(ctx);
finish(ctx.work);
