#!/usr/bin/env python3
"""workers/transformers_py.py on a tiny BERT made here with transformers itself (ctest
local_transformers_py, label local). Exits 77 (skipped), saying why, where `import transformers` fails:
Debian 12 has no python3-transformers and PyPI is not reachable from the build machines."""

import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
WORKER = os.path.join(HERE, "..", "..", "workers", "transformers_py.py")

try:
    import torch
    import transformers
except Exception as e:  # noqa: BLE001
    print(f"local_transformers_py: skipped: cannot import transformers/torch here ({e})")
    sys.exit(77)

failures = []


def check(name, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else f": {detail}"))
    if not ok:
        failures.append(name)


def make_model(folder):
    words = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "i", "love", "hate", "this", "movie"]
    with open(os.path.join(folder, "vocab.txt"), "w") as f:
        f.write("\n".join(words) + "\n")
    tokenizer = transformers.BertTokenizerFast(os.path.join(folder, "vocab.txt"))
    config = transformers.BertConfig(vocab_size=len(words), hidden_size=16, num_hidden_layers=1,
                                     num_attention_heads=2, intermediate_size=32,
                                     id2label={0: "NEGATIVE", 1: "POSITIVE"},
                                     label2id={"NEGATIVE": 0, "POSITIVE": 1})
    torch.manual_seed(0)
    model = transformers.BertForSequenceClassification(config)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)


def post(port, body):
    request = urllib.request.Request(f"http://127.0.0.1:{port}/", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as reply:
            return reply.status, json.loads(reply.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def start(folder, task, port_file):
    started = time.monotonic()
    process = subprocess.Popen([sys.executable, WORKER, "--model-dir", folder, "--task", task,
                                "--port-file", port_file], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    while not os.path.exists(port_file):
        if process.poll() is not None:
            raise RuntimeError(f"the worker exited {process.returncode}: {process.stderr.read()}")
        if time.monotonic() - started > 120:
            raise RuntimeError("the worker did not start in 120 s")
        time.sleep(0.05)
    print(f"info {task}: ready in {time.monotonic() - started:.2f} s")
    with open(port_file) as f:
        return process, json.load(f)["port"]


with tempfile.TemporaryDirectory() as work:
    model = os.path.join(work, "tiny-bert")
    os.makedirs(model)
    make_model(model)
    process, port = start(model, "text-classification", os.path.join(work, "tc.json"))
    try:
        status, reply = post(port, {"inputs": "i love this movie", "parameters": {"top_k": 2}})
        check("text-classification answers 200", status == 200, f"{status} {reply}")
        labels = sorted(item.get("label") for item in reply) if isinstance(reply, list) else []
        check("both labels of the config, with scores", labels == ["NEGATIVE", "POSITIVE"] and
              all(isinstance(item.get("score"), float) for item in reply), reply)
        status, reply = post(port, {"parameters": {}})
        check("a body without inputs is 400", status == 400 and "error" in reply, f"{status} {reply}")
        status, reply = post(port, {"inputs": "i love this", "parameters": {"no_such": 1}})
        check("an unknown parameter is 400 or answered", status in (200, 400), f"{status} {reply}")
    finally:
        process.terminate()
        check("SIGTERM ends the worker with 0", process.wait(timeout=30) == 0, process.returncode)
    process, port = start(model, "feature-extraction", os.path.join(work, "fe.json"))
    try:
        status, reply = post(port, {"inputs": "i love this movie"})
        check("feature-extraction is [1][tokens][16]", status == 200 and len(reply) == 1 and
              len(reply[0]) == 6 and len(reply[0][0]) == 16, f"{status} {str(reply)[:200]}")
    finally:
        process.terminate()
        process.wait(timeout=30)

print(f"{len(failures)} failed")
sys.exit(1 if failures else 0)
