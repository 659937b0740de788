#!/usr/bin/env python3
"""Seed corpora for the fuzz targets from the recordings and captures in tests/data (their origin is
in tests/data/README.md): every recorded response body (for each task a target's selector byte can
pick), error bodies, stream lines, URLs and repo paths. Usage: make_seeds.py OUT_DIR."""

import hashlib
import io
import json
import os
import sys
import tarfile

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
out = sys.argv[1]


def seed(target, data):
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogateescape")
    folder = os.path.join(out, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, hashlib.sha1(data).hexdigest()), "wb") as f:
        f.write(data)


with tarfile.open(os.path.join(ROOT, "tests/data/recordings/hfjs-tapes.tar.gz")) as tar:
    for member in tar.getmembers():
        if not member.isfile() or not member.name.endswith(".json"):
            continue
        tapes = json.load(io.TextIOWrapper(tar.extractfile(member), encoding="utf-8"))
        for tape in tapes.values():
            response = tape.get("response", {})
            body = response.get("body", "")
            if not isinstance(body, str) or len(body) > 64 * 1024:
                continue
            for selector in range(0, 256, 7):  # spread over the tasks and content types
                seed("fuzz_task_decode", bytes([selector]) + body.encode())
            if response.get("status", 200) >= 400:
                seed("fuzz_http_replies", bytes([response["status"] % 200]) + body.encode())
            if "data:" in body:
                seed("fuzz_sse", b"\x10" + body.encode())
            seed("fuzz_http_replies", b"\x00" + tape.get("url", "").encode())

for line in ['data: {"choices":[{"delta":{"content":"Hi"}}]}\n\ndata: [DONE]\n\n',
             'event: error\ndata: {"error":"overloaded"}\n\n', ': comment\r\ndata: a\r\ndata: b\r\n\r\n',
             '{"message":{"content":"x"},"done":false}\n{"done":true}\n', 'id: 1\nretry: 10\n\n']:
    seed("fuzz_sse", b"\x05" + line.encode())
for text in ["bytes 0-9/100", "bytes */100", "https://huggingface.co/api/models?x=1#f",
             "http://[::1]:8080/a%20b", '{"error":"Model is loading","estimated_time":20}',
             "<html><body><h1>502 Bad Gateway</h1></body></html>"]:
    seed("fuzz_http_replies", b"\x01" + text.encode())
for text in ["org/name", "models--org--name", "datasets--a--b", "unet/config.json", "../x", "a/../../b",
             "/abs", "a\\b", "0123456789abcdef0123456789abcdef01234567", 'W/"abc"',
             '<https://huggingface.co/api/models/x/tree/main?cursor=abc>; rel="next"']:
    seed("fuzz_hub_names", text)

# fuzz_space: what a Gradio 5.9.1 app served @gradio/client (config, info, join, session stream),
# one seed per capture run, with the route and diff bits of the selector and arguments for /predict.
SEP = b"\x1e"
gradio = {}
with open(os.path.join(ROOT, "tests/data/peer-captures/gradio-connect.jsonl"), encoding="utf-8") as f:
    for row in map(json.loads, f):
        canned = row.get("canned_response") or {}
        gradio.setdefault(row["mode"], {})[canned.get("kind")] = canned.get("body_text", "")
call_events = ('event: generating\ndata: ["ec"]\n\nevent: heartbeat\ndata: null\n\n'
               'event: complete\ndata: ["echo", {"path": "/tmp/a.png", "url": null, "orig_name": "a.png",'
               ' "meta": {"_type": "gradio.FileData"}}]\n\nevent: error\ndata: "boom"\n\n')
diff_stream = ('data: {"msg": "process_generating", "event_id": "e", "output": {"data": ["a"]}}\n\n'
               'data: {"msg": "process_generating", "event_id": "e", "output": {"data": '
               '[[["append", [], "b"], ["replace", [], "c"]]]}}\n\n'
               'data: {"msg": "progress", "event_id": "e", "progress_data": [{"index": 1, "length": 4,'
               ' "unit": "steps", "desc": null}]}\n\n'
               'data: {"msg": "process_completed", "event_id": "e", "success": false, "output": '
               '{"error": "You have exceeded your GPU quota"}, "title": "Error"}\n\n')
arguments = "text=hello\ntext:=\"hi\"\n[\"a cat\"]\nhysts/SDXL\nhttps://huggingface.co/spaces/a/b?x=1"
for canned in gradio.values():
    config, info, join = canned.get("gradio-config", ""), canned.get("gradio-info", ""), canned.get("gradio-join", "")
    for selector, stream in [(0x00, canned.get("gradio-sse", "")), (0x31, call_events),
                             (0x12, diff_stream.replace('"e"', json.dumps(json.loads(join or "{}").get("event_id", "e"))))]:
        seed("fuzz_space", bytes([selector]) + SEP.join(
            part.encode() for part in [config, info, join, stream, arguments]))

# fuzz_flavor: the five probes' bodies (/info, /props, /v1/models, /api/version, /health) in the
# shapes the servers answer (as tests/emulator/endpoint_server*.cpp serves them), and the bits of
# which probes failed.
tgi_info = {"model_id": "gpt2", "model_pipeline_tag": "text-generation", "max_input_tokens": 4095,
            "router": "text-generation-router", "version": "3.3.5"}
tei_info = {"model_id": "BAAI/bge-small-en-v1.5", "model_type": {"embedding": {"pooling": "cls"}},
            "max_input_length": 512, "version": "1.9.0"}
props = {"default_generation_settings": {"id": 0, "n_ctx": 4096}, "model_alias": "gemma",
         "model_path": "/models/gemma.gguf", "build_info": "b6700"}


def models(owner, model="m"):
    return {"object": "list", "data": [{"id": model, "object": "model", "created": 0, "owned_by": owner}]}


probes = [
    (0x00, [tgi_info, {}, models("gpt2", "gpt2"), {}, ""]),
    (0x00, [tei_info, {}, {}, {}, ""]),
    (0x01, ["", props, models("llamacpp"), {}, ""]),
    (0x03, ["", "", models("vllm"), "", ""]),
    (0x03, ["", "", models("sglang"), "", ""]),
    (0x07, ["", "", "", {"version": "0.12.6"}, ""]),
    (0x07, ["", "", "", "Ollama is running", ""]),
    (0x0b, ["", "", models("huggingface"), "", {"status": "ok"}]),
    (0x2f, ["", "", "", "", ""]),
    (0x5f, [{"error": "Unauthorized"}] * 5),
]
for selector, bodies in probes:
    seed("fuzz_flavor", bytes([selector]) + SEP.join(
        (b if isinstance(b, str) else json.dumps(b)).encode() for b in bodies))

# fuzz_batch_lines: JSON Lines files of tests/data (a few lines each, with and without a short line
# limit), batch inputs and output rows as docs/batch.md shows them (for --resume), shard specs.
for name in ["peer-captures/inference-requests.jsonl", "peer-captures/gradio-connect.jsonl"]:
    with open(os.path.join(ROOT, "tests/data", name), "rb") as f:
        lines = f.read().split(b"\n")
    for start in range(0, min(len(lines), 40), 4):
        chunk = b"\n".join(line[:2048] for line in lines[start:start + 3])
        seed("fuzz_batch_lines", b"\x01" + chunk)
        seed("fuzz_batch_lines", b"\xa0" + chunk)
for text in ['{"id": 1, "text": "I love this movie!"}\n\n{"id": "b", "text": "x", "params": {"top_k": 2}}\r\n[1]\nnot json\n{"id": 1.5}\n',
             '{"id":"r1","line":1,"ok":true,"result":{"labels":[]},"status":200}\n'
             '{"id":"r2","line":2,"ok":false,"error":{"kind":"rate_limited"},"status":429}\n'
             '{"id":"r1","line":1,"ok":true}\n{"id":"r3","ok":tr',
             "1/4\n", "auto\n", "auto/8\n{}\n", "3/2\n"]:
    for selector in (0x00, 0x40, 0x88):
        seed("fuzz_batch_lines", bytes([selector]) + text.encode())

# fuzz_params: the parameters @huggingface/inference sent (as key:=json lines) and TGI's keys as
# users type them.
with open(os.path.join(ROOT, "tests/data/peer-captures/inference-requests.jsonl"), encoding="utf-8") as f:
    for row in map(json.loads, f):
        parameters = (row.get("call_args") or {}).get("parameters")
        if isinstance(parameters, dict) and parameters:
            seed("fuzz_params", "\n".join(f"{k}:={json.dumps(v)}" for k, v in parameters.items()))
for text in ["max_new_tokens=20\ndetails=true\nstop=###\ndo_sample=false\ntemperature=0.5",
             'grammar:={"type": "json", "value": {"type": "object"}}\nreturn_full_text=true\ntop_n_tokens=2',
             "grammar={\"type\": \"regex\", \"value\": \"[0-9]+\"}\nseed=42\ntruncate=10\nwatermark=1",
             "label=cat\neq=a=b\nflags:=[\"a\",\"b\"]\nwhat is 2+2=?\n=x\nk:=three"]:
    seed("fuzz_params", text)
