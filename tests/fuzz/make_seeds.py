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
