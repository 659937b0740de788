// The @huggingface/hub side of tests/bench/download_bench.sh: one file with downloadFileToCacheDir,
// or a whole repo with snapshotDownload, into a given cache folder, from $HF_ENDPOINT (the
// emulator). Uses the client tests/conformance pins (2.17.5; `tests/conformance/setup.sh` installs
// it). Prints the path the client returns.
//
//   node tests/bench/hub_download.mjs file REPO PATH CACHE_DIR
//   node tests/bench/hub_download.mjs snapshot REPO CACHE_DIR
import { pathToFileURL } from "node:url";

const hubModule = new URL("../conformance/node_modules/@huggingface/hub/dist/index.mjs", import.meta.url);
const { downloadFileToCacheDir, snapshotDownload } = await import(pathToFileURL(hubModule.pathname).href);

const [mode, repo, ...rest] = process.argv.slice(2);
const hubUrl = process.env.HF_ENDPOINT;
if (!hubUrl || !repo || !["file", "snapshot"].includes(mode)) {
  console.error("usage: HF_ENDPOINT=URL node hub_download.mjs file REPO PATH CACHE_DIR | snapshot REPO CACHE_DIR");
  process.exit(2);
}
const accessToken = process.env.HF_TOKEN || undefined;
let path;
if (mode === "file") {
  const [file, cacheDir] = rest;
  path = await downloadFileToCacheDir({ repo, path: file, hubUrl, cacheDir, accessToken });
} else {
  const [cacheDir] = rest;
  path = await snapshotDownload({ repo, hubUrl, cacheDir, accessToken });
}
console.log(path);
