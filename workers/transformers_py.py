#!/usr/bin/env python3
"""The transformers (Python) worker of `hfrun local` (docs/local.md).

Loads one model folder (an HF cache snapshot or any folder with config.json and weights) with
transformers' `pipeline(task, model=DIR)` once, then serves it on a loopback port with the Hugging Face
Inference Toolkit protocol, as the Toolkit's own handler does: `POST /` (and `/predict`) with
`{"inputs": ..., "parameters": {...}}` runs `pipeline(inputs, **parameters)` and answers its result as
JSON; image and audio tasks also take the raw bytes with their Content-Type, or base64 in "inputs".

The command line, the port file and the exit codes are the ones of the Node workers (workers/common.mjs):
the port file appears (written to a temporary name, then renamed) only once the model is loaded, and the
same JSON goes to stdout; 0 after SIGTERM/SIGINT, 1 with one stderr line when the model does not load,
2 for a usage error. Only the standard library and transformers (with its own dependencies) are used.
"""

import argparse
import base64
import io
import json
import os
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

WORKER = "transformers_py"
IMAGE_TASKS = {"image-classification", "object-detection", "image-segmentation", "image-to-text",
               "zero-shot-image-classification", "depth-estimation"}
AUDIO_TASKS = {"automatic-speech-recognition", "audio-classification"}
MAX_BODY = 64 << 20


def fatal(message, code=1):
    sys.stderr.write(f"{WORKER}: {str(message).splitlines()[0] if str(message) else 'failed'}\n")
    sys.stderr.flush()
    os._exit(code)


def parse_args():
    parser = argparse.ArgumentParser(prog="transformers_py.py", add_help=True)
    parser.add_argument("--model-dir", required=True)
    parser.add_argument("--task", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file")
    parser.add_argument("--device", default="cpu", help="cpu, cuda, cuda:N or auto")
    parser.add_argument("--dtype", default="auto", help="torch dtype: auto, float32, float16, bfloat16")
    try:
        args = parser.parse_args()
    except SystemExit as e:
        os._exit(0 if e.code == 0 else 2)
    if not 0 <= args.port <= 65535:
        sys.stderr.write(f"{WORKER}: --port must be an integer from 0 to 65535\n")
        os._exit(2)
    return args


def to_json(value):
    """Pipeline results as plain JSON: tensors and numpy arrays as lists, numpy scalars as numbers."""
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "item") and callable(value.item):
        return value.item()
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if value.__class__.__name__ == "Image":  # a PIL image (image-segmentation masks)
        buffer = io.BytesIO()
        value.save(buffer, format="PNG")
        return base64.b64encode(buffer.getvalue()).decode("ascii")
    return str(value)


class BadRequest(Exception):
    pass


def media_inputs(task, inputs):
    """Base64 (or a data: URL) in "inputs" becomes the bytes the pipeline reads, as the Toolkit does."""
    if task not in IMAGE_TASKS and task not in AUDIO_TASKS:
        return inputs
    if isinstance(inputs, (bytes, bytearray)):
        data = bytes(inputs)
    elif isinstance(inputs, str):
        text = inputs.split(",", 1)[1] if inputs.startswith("data:") else inputs
        try:
            data = base64.b64decode(text, validate=True)
        except ValueError:
            raise BadRequest("inputs must be base64 (or a data: URL) of the file")
    else:
        raise BadRequest("inputs must be the file as base64")
    if task in IMAGE_TASKS:
        from PIL import Image  # transformers' image pipelines need Pillow anyway

        try:
            return Image.open(io.BytesIO(data)).convert("RGB")
        except Exception as e:  # noqa: BLE001 - any decoder failure is the caller's bad input
            raise BadRequest(f"cannot read the image: {e}")
    return data


def main():
    args = parse_args()
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    signal.signal(signal.SIGINT, lambda *_: os._exit(0))
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the folder is all there is; never the network
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        import transformers
    except Exception as e:  # noqa: BLE001
        fatal(f"cannot import transformers: {e}")
    try:
        kwargs = {"model": args.model_dir}
        if args.device == "auto":
            kwargs["device_map"] = "auto"
        else:
            kwargs["device"] = args.device
        if args.dtype != "auto":
            import torch

            kwargs["torch_dtype"] = getattr(torch, args.dtype)
        pipe = transformers.pipeline(args.task, **kwargs)
    except Exception as e:  # noqa: BLE001
        fatal(f"cannot load the model in {args.model_dir} for {args.task}: {e}")
    lock = threading.Lock()  # one request at a time, as the Node workers

    class Handler(BaseHTTPRequestHandler):
        server_version = "hfrun-transformers-py"

        def log_message(self, *_):
            pass

        def reply(self, status, value):
            body = json.dumps(value).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            if self.path.split("?")[0] in ("/", "/health"):
                self.reply(200, {"status": "ok"})
            else:
                self.reply(404, {"error": f"no route {self.path}"})

        def do_POST(self):
            if self.path.split("?")[0] not in ("/", "/predict"):
                self.reply(404, {"error": f"no route {self.path}"})
                return
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                self.reply(413, {"error": f"the body is larger than {MAX_BODY} bytes"})
                return
            raw = self.rfile.read(length)
            kind = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            try:
                if kind.startswith("image/") or kind.startswith("audio/"):
                    inputs, parameters = raw, {}
                else:
                    try:
                        body = json.loads(raw or b"null")
                    except ValueError:
                        raise BadRequest("the body is not JSON")
                    if not isinstance(body, dict) or "inputs" not in body:
                        raise BadRequest('the body must be {"inputs": ..., "parameters": {...}}')
                    inputs, parameters = body["inputs"], body.get("parameters") or {}
                    if not isinstance(parameters, dict):
                        raise BadRequest("parameters must be an object")
                inputs = media_inputs(args.task, inputs)
                with lock:
                    if args.task == "question-answering" and isinstance(inputs, dict):
                        result = pipe(question=inputs.get("question"), context=inputs.get("context"),
                                      **parameters)
                    elif args.task == "zero-shot-classification":
                        labels = parameters.pop("candidate_labels", None)
                        result = pipe(inputs, candidate_labels=labels, **parameters)
                    else:
                        result = pipe(inputs, **parameters)
                self.reply(200, to_json(result))
            except BadRequest as e:
                self.reply(400, {"error": str(e)})
            except (TypeError, ValueError) as e:
                # Unknown or ill-typed parameters: the caller's mistake, as the Toolkit answers it.
                self.reply(400, {"error": str(e)})
            except Exception as e:  # noqa: BLE001 - an inference failure must not end the worker
                self.reply(500, {"error": str(e)})

    server = ThreadingHTTPServer((args.host, args.port), Handler)
    port = server.server_address[1]
    line = json.dumps({"port": port, "pid": os.getpid()})
    if args.port_file:
        tmp = f"{args.port_file}.{os.getpid()}.tmp"
        with open(tmp, "w") as f:
            f.write(line + "\n")
        os.replace(tmp, args.port_file)
    sys.stdout.write(line + "\n")
    sys.stdout.flush()
    server.serve_forever()


if __name__ == "__main__":
    main()
