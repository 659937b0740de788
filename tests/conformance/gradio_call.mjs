// One Gradio call with the real @gradio/client, as a user's Node script makes it: the baseline of
// tests/bench/space_bench.sh (it lives here, beside the pinned node_modules it imports).
//
//   node gradio_call.mjs APP_URL API PARAMS_JSON [FILE_PARAM FILE_PATH]
//
// PARAMS_JSON is an object of parameter values; FILE_PARAM=FILE_PATH adds a file uploaded with
// handle_file. Prints the result's data as JSON; exit 1 on any failure.
import { Client, handle_file } from "@gradio/client";
import { readFileSync } from "node:fs";

const [url, api, paramsText, fileParam, filePath] = process.argv.slice(2);
if (!url || !api) {
	console.error("usage: node gradio_call.mjs APP_URL API PARAMS_JSON [FILE_PARAM FILE_PATH]");
	process.exit(2);
}
try {
	const params = JSON.parse(paramsText ?? "{}");
	if (fileParam) {
		params[fileParam] = handle_file(new Blob([readFileSync(filePath)]));
	}
	const app = await Client.connect(url);
	const result = await app.predict(api, params);
	console.log(JSON.stringify(result.data));
	process.exit(0);
} catch (e) {
	console.error(`gradio_call: ${e?.message ?? e}`);
	process.exit(1);
}
