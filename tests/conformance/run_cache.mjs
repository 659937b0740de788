// Conformance of the cache both ways: @huggingface/hub (2.17.5) reads what `hfrun download` wrote,
// and hfrun reads what @huggingface/hub's snapshotDownload wrote.
//
//   scripts/emulator.sh run <hfrun-emulator> --world tests/conformance/cache_world.json -- \
//       node tests/conformance/run_cache.mjs <hfrun>
//
// The repo is hfrun-conformance/nested-cache of cache_world.json: files in nested folders, LFS and
// regular files, branches main and fp16 (same files, another commit).
//
// What @huggingface/hub 2.17.5 does, which the expected values below follow (its src/lib/*.ts):
// - scanCacheDir lists only the files directly inside snapshots/<commit>/ (scanSnapshotDir skips
//   folders) and only refs directly inside refs/ (scanRefsDir skips folders); a repo folder without
//   snapshots/ or refs/ is a warning (it stats both), not a repo.
// - snapshotDownload sends the revision's model info and the recursive tree, then, for each file,
//   downloadFileToCacheDir with the commit, which returns an existing snapshot entry without any
//   request. downloadFileToCacheDir with a branch name first asks POST paths-info for the file.
import path from "node:path";
import { readFileSync } from "node:fs";
import { scanCacheDir, snapshotDownload, downloadFileToCacheDir } from "@huggingface/hub";
import {
	REPO,
	REPO_FOLDER,
	setup,
	check,
	finish,
	expectEqual,
	runHfrun,
	expectExit,
	repoAt,
	resetEmulator,
	requestLog,
	snapshotEntries,
	snapshotFile,
	blobNames,
	expectedLink,
	exists,
} from "./cache_support.mjs";

const ctx = setup("run_cache.mjs");
// downloadFileToCacheDir says "Downloading <path> to <blob>.incomplete" through console.debug for
// every file it fetches; the checks below say what was fetched.
console.debug = () => {};
const hubArgs = { repo: { type: "model", name: REPO }, hubUrl: ctx.hub, accessToken: ctx.token };
const main = await repoAt(ctx, "main");
const fp16 = await repoAt(ctx, "fp16");
const allFiles = [...main.files.keys()].sort();
const topLevel = allFiles.filter((f) => !f.includes("/"));
// Each blob once (two paths may share content).
const blobSizes = (files) => new Map(files.map((f) => [main.files.get(f).etag, main.files.get(f).size]));
const sum = (m) => [...m.values()].reduce((a, b) => a + b, 0);

await check("the fixture: nested folders, LFS and regular files, two branches at different commits", () => {
	expectEqual(
		{ nested: allFiles.some((f) => f.split("/").length > 2), lfs: allFiles.some((f) => main.files.get(f).etag.length === 64), regular: allFiles.some((f) => main.files.get(f).etag.length === 40), twoCommits: main.commit !== fp16.commit, sameFiles: JSON.stringify([...fp16.files]) === JSON.stringify([...main.files]) },
		{ nested: true, lfs: true, regular: true, twoCommits: true, sameFiles: true },
		"the fixture",
	);
});

// --- 1. hfrun writes, @huggingface/hub reads ---------------------------------------------------

const cacheA = path.join(ctx.work, "cache-a");
const repoA = path.join(cacheA, REPO_FOLDER);
await check("hfrun download of main and of the fp16 branch", () => {
	const r1 = runHfrun(ctx, cacheA, ["download", REPO]);
	expectExit(r1, 0, "hfrun download");
	expectEqual(r1.stdout, `${path.join(repoA, "snapshots", main.commit)}\n`, "the printed path");
	const r2 = runHfrun(ctx, cacheA, ["download", REPO, "--revision", "fp16"]);
	expectExit(r2, 0, "hfrun download --revision fp16");
	expectEqual(r2.stdout, `${path.join(repoA, "snapshots", fp16.commit)}\n`, "the printed path");
	for (const commit of [main.commit, fp16.commit]) {
		const snapshot = path.join(repoA, "snapshots", commit);
		expectEqual(snapshotEntries(snapshot), allFiles, `snapshots/${commit}`);
		for (const f of allFiles) expectEqual(snapshotFile(snapshot, f), { target: expectedLink(f, main.files.get(f).etag), size: main.files.get(f).size }, `snapshots/${commit}/${f}`);
	}
	expectEqual(
		{ main: readFileSync(path.join(repoA, "refs/main"), "utf8"), fp16: readFileSync(path.join(repoA, "refs/fp16"), "utf8") },
		{ main: main.commit, fp16: fp16.commit },
		"refs/",
	);
});

// The scanner's answer without the times (they are the files' own).
function scanned(info) {
	return {
		size: info.size,
		warnings: info.warnings.map((w) => String(w.message ?? w)),
		repos: info.repos.map((r) => ({
			id: r.id,
			path: r.path,
			size: r.size,
			filesCount: r.filesCount,
			revisions: r.revisions
				.map((v) => ({ commitOid: v.commitOid, path: v.path, refs: [...v.refs].sort(), size: v.size, files: v.files.map((f) => ({ path: f.path, blob: { path: f.blob.path, size: f.blob.size } })).sort((a, b) => a.path.localeCompare(b.path)) }))
				.sort((a, b) => a.commitOid.localeCompare(b.commitOid)),
		})),
	};
}
function expectedScan(cache, revisions) {
	const repoDir = path.join(cache, REPO_FOLDER);
	const blobs = blobSizes(topLevel);
	const files = (commit) =>
		[...topLevel].sort((a, b) => path.join(repoDir, "snapshots", commit, a).localeCompare(path.join(repoDir, "snapshots", commit, b))).map((f) => ({
			path: path.join(repoDir, "snapshots", commit, f),
			blob: { path: path.join(repoDir, "blobs", main.files.get(f).etag), size: main.files.get(f).size },
		}));
	return {
		size: sum(blobs),
		warnings: [],
		repos: [
			{
				id: { name: REPO, type: "model" },
				path: repoDir,
				size: sum(blobs),
				filesCount: blobs.size,
				revisions: revisions
					.map(({ commit, ref }) => ({ commitOid: commit, path: path.join(repoDir, "snapshots", commit), refs: [ref], size: topLevel.reduce((a, f) => a + main.files.get(f).size, 0), files: files(commit) }))
					.sort((a, b) => a.commitOid.localeCompare(b.commitOid)),
			},
		],
	};
}

await check("@huggingface/hub scanCacheDir lists hfrun's cache: both revisions, their refs, the files and sizes", async () => {
	expectEqual(scanned(await scanCacheDir(cacheA)), expectedScan(cacheA, [{ commit: main.commit, ref: "main" }, { commit: fp16.commit, ref: "fp16" }]), "scanCacheDir");
});

// The tree listing may come in pages; every request of the window must be one of these.
const treeRequest = (commit) => `hub GET /api/models/${REPO}/tree/${commit}`;
const revisionRequest = (rev) => `hub GET /api/models/${REPO}/revision/${rev}`;

for (const [rev, at] of [["main", main], ["fp16", fp16]]) {
	await check(`@huggingface/hub snapshotDownload (${rev}) finds hfrun's files: the revision and the tree asked, no file bytes fetched`, async () => {
		const blobsBefore = blobNames(repoA);
		await resetEmulator(ctx);
		const snapshot = await snapshotDownload({ ...hubArgs, cacheDir: cacheA, revision: rev });
		expectEqual(snapshot, path.join(repoA, "snapshots", at.commit), "the returned snapshot");
		expectEqual(await requestLog(ctx), [revisionRequest(rev), treeRequest(at.commit)], "the requests of the window");
		expectEqual(blobNames(repoA), blobsBefore, "blobs/ afterwards");
		expectEqual(readFileSync(path.join(repoA, "refs", rev), "utf8"), at.commit, `refs/${rev} afterwards`);
	});
}

await check("@huggingface/hub downloadFileToCacheDir at the commit finds every file of hfrun's snapshot without any request", async () => {
	await resetEmulator(ctx);
	const got = {};
	for (const f of allFiles) got[f] = await downloadFileToCacheDir({ ...hubArgs, cacheDir: cacheA, path: f, revision: main.commit });
	expectEqual(got, Object.fromEntries(allFiles.map((f) => [f, path.join(repoA, "snapshots", main.commit, f)])), "the returned paths");
	expectEqual(await requestLog(ctx), [], "the requests of the window");
});

await check("@huggingface/hub downloadFileToCacheDir on the branch finds every file of hfrun's snapshot: one paths-info each, no file bytes fetched", async () => {
	const blobsBefore = blobNames(repoA);
	await resetEmulator(ctx);
	const got = {};
	for (const f of allFiles) got[f] = await downloadFileToCacheDir({ ...hubArgs, cacheDir: cacheA, path: f, revision: "fp16" });
	expectEqual(got, Object.fromEntries(allFiles.map((f) => [f, path.join(repoA, "snapshots", fp16.commit, f)])), "the returned paths");
	expectEqual(await requestLog(ctx), allFiles.map(() => `hub POST /api/models/${REPO}/paths-info/fp16`), "the requests of the window");
	expectEqual(blobNames(repoA), blobsBefore, "blobs/ afterwards");
});

// --- 2. @huggingface/hub writes, hfrun reads ---------------------------------------------------

const cacheB = path.join(ctx.work, "cache-b");
const repoB = path.join(cacheB, REPO_FOLDER);
const snapshotB = path.join(repoB, "snapshots", main.commit);
await check("@huggingface/hub snapshotDownload into a fresh cache", async () => {
	expectEqual(await snapshotDownload({ ...hubArgs, cacheDir: cacheB }), snapshotB, "the returned snapshot");
	expectEqual(snapshotEntries(snapshotB), allFiles, "the snapshot's entries");
});

await check("hfrun cache ls --json lists @huggingface/hub's download: files, sizes, blobs, refs", () => {
	const r = runHfrun(ctx, cacheB, ["cache", "ls", "--json"]);
	expectExit(r, 0, "hfrun cache ls --json");
	const listed = JSON.parse(r.stdout).map(({ last_modified, ...rest }) => rest);
	const blobs = blobSizes(allFiles);
	const snapshotBytes = allFiles.reduce((a, f) => a + main.files.get(f).size, 0);
	expectEqual(
		listed,
		[
			{
				repo: `model/${REPO}`,
				id: `model/${REPO}`,
				repo_id: REPO,
				repo_type: "model",
				path: repoB,
				bytes: sum(blobs),
				size: sum(blobs),
				blobs: blobs.size,
				refs: ["main"],
				revisions: [{ commit: main.commit, refs: ["main"], files: allFiles.length, bytes: snapshotBytes, size: snapshotBytes }],
			},
		],
		"hfrun cache ls --json",
	);
});

await check("hfrun cache verify passes @huggingface/hub's download", () => {
	const r = runHfrun(ctx, cacheB, ["cache", "verify", REPO, "--json"]);
	expectExit(r, 0, "hfrun cache verify --json");
	expectEqual(JSON.parse(r.stdout), { ok: true, problems: [], repo: `model/${REPO}` }, "hfrun cache verify --json");
});

await check("HF_HUB_OFFLINE=1 hfrun download finds @huggingface/hub's snapshot, sending nothing", async () => {
	await resetEmulator(ctx);
	const whole = runHfrun(ctx, cacheB, ["download", REPO], { HF_HUB_OFFLINE: "1" });
	expectExit(whole, 0, "HF_HUB_OFFLINE=1 hfrun download REPO");
	expectEqual(whole.stdout, `${snapshotB}\n`, "the printed path");
	const file = "unet/diffusion_pytorch_model.fp16.safetensors";
	const one = runHfrun(ctx, cacheB, ["download", REPO, file], { HF_HUB_OFFLINE: "1" });
	expectExit(one, 0, `HF_HUB_OFFLINE=1 hfrun download REPO ${file}`);
	expectEqual(one.stdout, `${path.join(snapshotB, file)}\n`, "the printed path");
	expectEqual(await requestLog(ctx), [], "the requests of the window");
});

await check("hfrun download over @huggingface/hub's cache fetches no file bytes: the revision and the tree asked", async () => {
	const blobsBefore = blobNames(repoB);
	await resetEmulator(ctx);
	const r = runHfrun(ctx, cacheB, ["download", REPO]);
	expectExit(r, 0, "hfrun download");
	expectEqual(r.stdout, `${snapshotB}\n`, "the printed path");
	expectEqual(await requestLog(ctx), [revisionRequest("main"), treeRequest(main.commit)], "the requests of the window");
	expectEqual(blobNames(repoB), blobsBefore, "blobs/ afterwards");
	expectEqual(exists(path.join(repoB, "trees", `${main.commit}.json`)), true, "trees/<commit>.json written");
});

finish(ctx.work);
