#!/usr/bin/python3
"""Writes the tiny real models the `hfrun local` worker tests run (docs/local.md, "The tiny models").

    /usr/bin/python3 tests/local/make_tiny_models.py OUT_DIR

OUT_DIR/
  text-classifier/   BERT-like (config.json model_type bert, WordPiece tokenizer.json, onnx/model.onnx).
                     Outputs `logits` (text-classification, labels NEGATIVE/POSITIVE) and
                     `last_hidden_state` (feature-extraction, hidden size 8). "great"/"good"/"love" push
                     POSITIVE, "bad"/"awful"/"hate" push NEGATIVE, so a test can expect one label.
  token-classifier/  The same encoder with per-token `logits` over O/B-PER/I-PER/B-LOC/I-LOC: "alice" and
                     "bob" are B-PER, "paris" and "london" B-LOC, every other token O.
  fill-mask/         BertForMaskedLM: per-token `logits` over the vocabulary (tied to the embeddings).
  question-answering/ BertForQuestionAnswering: `start_logits`/`end_logits`; a place is the answer.
  nli/               BertForSequenceClassification over contradiction/neutral/entailment
                     (zero-shot-classification; random weights: only the shape is meaningful).
  image-classifier/  ViT-like (model_type vit, ViTImageProcessor 8x8, onnx/model.onnx): the mean of each
                     colour channel picks the label, so red.png is "red".
  images/            red.png, green.png, blue.png (4x4 RGB).
  tiny-llama.gguf    GGUF v3, llama architecture, F32, SentencePiece vocabulary with byte fallback and a
                     ChatML chat template (tokenizer.chat_template); about 100 KB.

Needs python3-numpy and python3-onnx (Debian). Every weight comes from a fixed seed, so two runs write the
same bytes.
"""

import json
import os
import struct
import sys
import zlib

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

SEED = 20261202
HIDDEN = 8

# --------------------------------------------------------------------------------------------------
# BERT-like text classifier (text-classification + feature-extraction)

SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
WORDS = [
    "the", "a", "is", "this", "that", "it", "was", "not", "i", "you", "and", "movie", "film", "food",
    "day", "very", "so", "good", "great", "love", "bad", "awful", "hate", "paris", "london", "alice",
    "bob", "lives", "in", ".", ",", "!", "?",
]
POSITIVE_WORDS = {"good": 2.0, "great": 2.5, "love": 2.0}
NEGATIVE_WORDS = {"bad": -2.0, "awful": -2.5, "hate": -2.0}
LETTERS = [chr(c) for c in range(ord("a"), ord("z") + 1)]
TEXT_LABELS = ["NEGATIVE", "POSITIVE"]


def text_vocab():
    vocab = list(SPECIAL) + WORDS
    vocab += [l for l in LETTERS if l not in vocab]  # "a" and "i" are words already
    vocab += ["##" + l for l in LETTERS]
    return {tok: i for i, tok in enumerate(vocab)}


def write_json(path, value):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(value, f, indent=2, sort_keys=False)
        f.write("\n")


def bert_tokenizer_json(vocab):
    added = [
        {"id": vocab[t], "content": t, "single_word": False, "lstrip": False, "rstrip": False,
         "normalized": False, "special": True}
        for t in SPECIAL
    ]
    cls, sep = vocab["[CLS]"], vocab["[SEP]"]
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added,
        "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True,
                       "strip_accents": None, "lowercase": True},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}},
                       {"Sequence": {"id": "A", "type_id": 0}},
                       {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}},
                     {"Sequence": {"id": "A", "type_id": 0}},
                     {"SpecialToken": {"id": "[SEP]", "type_id": 0}},
                     {"Sequence": {"id": "B", "type_id": 1}},
                     {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
            "special_tokens": {
                "[CLS]": {"id": "[CLS]", "ids": [cls], "tokens": ["[CLS]"]},
                "[SEP]": {"id": "[SEP]", "ids": [sep], "tokens": ["[SEP]"]},
            },
        },
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                  "max_input_chars_per_word": 100, "vocab": vocab},
    }


def save_model(graph, path):
    model = helper.make_model(graph, producer_name="hfrun-tests",
                              opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    onnx.save(model, path)


# Dimensions of the embeddings that carry meaning (the others are noise, so hidden states differ per
# token): 0 sentiment, 1 person names, 2 places. The dense layer passes them through unchanged.
SENTIMENT, PERSON, PLACE = 0, 1, 2
PEOPLE = ("alice", "bob")
PLACES = ("paris", "london")


def bert_embeddings(rng, vocab):
    emb = rng.normal(0.0, 0.5, size=(len(vocab), HIDDEN)).astype(np.float32)
    emb[:, :3] = 0.0
    for word, value in {**POSITIVE_WORDS, **NEGATIVE_WORDS}.items():
        emb[vocab[word], SENTIMENT] = value
    for word in PEOPLE:
        emb[vocab[word], PERSON] = 3.0
    for word in PLACES:
        emb[vocab[word], PLACE] = 3.0
    w1 = (np.eye(HIDDEN) + rng.normal(0.0, 0.1, size=(HIDDEN, HIDDEN))).astype(np.float32)
    w1[:3, :] = 0.0
    w1[:, :3] = 0.0
    w1[:3, :3] = np.eye(3)
    return emb, w1


def bert_model(out, rng, architecture, head, labels=None):
    """One BERT-like folder. head: "sequence" (mean-pooled `logits` [batch, labels], plus
    `last_hidden_state`), "token" (`logits` [batch, tokens, labels or vocabulary]) or "qa"
    (`start_logits`, `end_logits` [batch, tokens])."""
    vocab = text_vocab()
    v = len(vocab)
    emb, w1 = bert_embeddings(rng, vocab)
    init = [
        numpy_helper.from_array(emb, "word_embeddings"),
        numpy_helper.from_array(w1, "dense_weight"),
        numpy_helper.from_array(np.zeros(HIDDEN, dtype=np.float32), "dense_bias"),
        numpy_helper.from_array(np.array([1], dtype=np.int64), "axis_seq"),
        numpy_helper.from_array(np.array([2], dtype=np.int64), "axis_last"),
    ]
    nodes = [
        helper.make_node("Gather", ["word_embeddings", "input_ids"], ["emb"], axis=0),
        helper.make_node("MatMul", ["emb", "dense_weight"], ["dense"]),
        helper.make_node("Add", ["dense", "dense_bias"], ["dense_b"]),
        helper.make_node("Tanh", ["dense_b"], ["last_hidden_state"]),
    ]
    dims = ["batch_size", "sequence_length"]
    if head == "sequence":
        if labels == TEXT_LABELS:
            wc = rng.normal(0.0, 0.01, size=(HIDDEN, len(labels))).astype(np.float32)
            wc[SENTIMENT, :] = [-6.0, 6.0]
        else:
            wc = rng.normal(0.0, 1.0, size=(HIDDEN, len(labels))).astype(np.float32)
        init += [numpy_helper.from_array(wc, "head_weight"),
                 numpy_helper.from_array(np.zeros(len(labels), dtype=np.float32), "head_bias")]
        nodes += [
            helper.make_node("Cast", ["attention_mask"], ["mask_f"], to=TensorProto.FLOAT),
            helper.make_node("Unsqueeze", ["mask_f", "axis_last"], ["mask3"]),
            helper.make_node("Mul", ["last_hidden_state", "mask3"], ["masked"]),
            # Opset 13: ReduceSum takes the axes as an input (ReduceMean still as an attribute).
            helper.make_node("ReduceSum", ["masked", "axis_seq"], ["summed"], keepdims=0),
            helper.make_node("ReduceSum", ["mask3", "axis_seq"], ["count"], keepdims=0),
            helper.make_node("Div", ["summed", "count"], ["pooled"]),
            helper.make_node("MatMul", ["pooled", "head_weight"], ["head"]),
            helper.make_node("Add", ["head", "head_bias"], ["logits"]),
        ]
        outputs = [
            helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch_size", len(labels)]),
            helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, dims + [HIDDEN]),
        ]
    elif head == "token":
        if labels is None:
            # Masked LM: scores over the vocabulary, tied to the embeddings; [MASK] embeds as "great"
            # does, so "great" is the best filler, and special tokens are never predicted.
            emb[vocab["[MASK]"]] = emb[vocab["great"]]
            init[0] = numpy_helper.from_array(emb, "word_embeddings")
            wt = (3.0 * emb.T).astype(np.float32)
            bt = np.zeros(v, dtype=np.float32)
            for t in SPECIAL:
                wt[:, vocab[t]] = 0.0
                bt[vocab[t]] = -10.0
        else:  # NER: person names are B-PER, places B-LOC, everything else O
            wt = rng.normal(0.0, 0.01, size=(HIDDEN, len(labels))).astype(np.float32)
            wt[:3, :] = 0.0
            wt[PERSON, labels.index("B-PER")] = 4.0
            wt[PLACE, labels.index("B-LOC")] = 4.0
            bt = np.zeros(len(labels), dtype=np.float32)
            bt[labels.index("O")] = 1.0
        init += [numpy_helper.from_array(wt, "head_weight"), numpy_helper.from_array(bt, "head_bias")]
        nodes += [
            helper.make_node("MatMul", ["last_hidden_state", "head_weight"], ["head"]),
            helper.make_node("Add", ["head", "head_bias"], ["logits"]),
        ]
        outputs = [helper.make_tensor_value_info("logits", TensorProto.FLOAT, dims + [wt.shape[1]])]
    else:  # qa: places are the answer, start and end alike
        wq = rng.normal(0.0, 0.01, size=(HIDDEN, 2)).astype(np.float32)
        wq[:3, :] = 0.0
        wq[PLACE, :] = 5.0
        init += [numpy_helper.from_array(wq, "head_weight")]
        nodes += [
            helper.make_node("MatMul", ["last_hidden_state", "head_weight"], ["head"]),
            helper.make_node("Split", ["head"], ["start3", "end3"], axis=2),
            helper.make_node("Squeeze", ["start3", "axis_last"], ["start_logits"]),
            helper.make_node("Squeeze", ["end3", "axis_last"], ["end_logits"]),
        ]
        outputs = [helper.make_tensor_value_info("start_logits", TensorProto.FLOAT, dims),
                   helper.make_tensor_value_info("end_logits", TensorProto.FLOAT, dims)]
    inputs = [helper.make_tensor_value_info("input_ids", TensorProto.INT64, dims),
              helper.make_tensor_value_info("attention_mask", TensorProto.INT64, dims)]
    graph = helper.make_graph(nodes, "tiny_bert", inputs, outputs, init)
    save_model(graph, os.path.join(out, "onnx", "model.onnx"))

    config = {
        "architectures": [architecture],
        "model_type": "bert",
        "vocab_size": v,
        "hidden_size": HIDDEN,
        "num_hidden_layers": 1,
        "num_attention_heads": 1,
        "intermediate_size": HIDDEN,
        "max_position_embeddings": 128,
        "type_vocab_size": 2,
    }
    if labels is not None:
        config["id2label"] = {str(i): l for i, l in enumerate(labels)}
        config["label2id"] = {l: i for i, l in enumerate(labels)}
    write_json(os.path.join(out, "config.json"), config)
    write_json(os.path.join(out, "tokenizer.json"), bert_tokenizer_json(vocab))
    write_json(os.path.join(out, "tokenizer_config.json"), {
        "tokenizer_class": "BertTokenizer",
        "do_lower_case": True,
        "model_max_length": 128,
        "cls_token": "[CLS]",
        "sep_token": "[SEP]",
        "pad_token": "[PAD]",
        "unk_token": "[UNK]",
        "mask_token": "[MASK]",
    })
    write_json(os.path.join(out, "special_tokens_map.json"), {
        "cls_token": "[CLS]", "sep_token": "[SEP]", "pad_token": "[PAD]", "unk_token": "[UNK]",
        "mask_token": "[MASK]",
    })


NER_LABELS = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]
NLI_LABELS = ["contradiction", "neutral", "entailment"]


# --------------------------------------------------------------------------------------------------
# ViT-like image classifier

IMAGE_LABELS = ["red", "green", "blue"]
IMAGE_SIZE = 8


def image_classifier(out):
    w = (4.0 * np.eye(3)).astype(np.float32)
    b = np.zeros(3, dtype=np.float32)
    init = [numpy_helper.from_array(w, "classifier_weight"), numpy_helper.from_array(b, "classifier_bias")]
    nodes = [
        helper.make_node("ReduceMean", ["pixel_values"], ["channel_mean"], axes=[2, 3], keepdims=0),
        helper.make_node("MatMul", ["channel_mean", "classifier_weight"], ["cls"]),
        helper.make_node("Add", ["cls", "classifier_bias"], ["logits"]),
    ]
    inputs = [helper.make_tensor_value_info("pixel_values", TensorProto.FLOAT,
                                            ["batch_size", 3, "height", "width"])]
    outputs = [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch_size", 3])]
    graph = helper.make_graph(nodes, "tiny_vit_classifier", inputs, outputs, init)
    save_model(graph, os.path.join(out, "onnx", "model.onnx"))
    write_json(os.path.join(out, "config.json"), {
        "architectures": ["ViTForImageClassification"],
        "model_type": "vit",
        "image_size": IMAGE_SIZE,
        "num_channels": 3,
        "patch_size": IMAGE_SIZE,
        "hidden_size": 3,
        "id2label": {str(i): l for i, l in enumerate(IMAGE_LABELS)},
        "label2id": {l: i for i, l in enumerate(IMAGE_LABELS)},
    })
    write_json(os.path.join(out, "preprocessor_config.json"), {
        "image_processor_type": "ViTImageProcessor",
        "do_resize": True,
        "size": {"height": IMAGE_SIZE, "width": IMAGE_SIZE},
        "resample": 2,
        "do_rescale": True,
        "rescale_factor": 1 / 255,
        "do_normalize": True,
        "image_mean": [0.5, 0.5, 0.5],
        "image_std": [0.5, 0.5, 0.5],
    })


def png(width, height, rgb):
    """A plain RGB PNG (8 bits, no interlace, filter 0 on every row)."""

    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(rows, 9))
            + chunk(b"IEND", b""))


def images(out):
    os.makedirs(out, exist_ok=True)
    for name, rgb in {"red": (230, 20, 20), "green": (20, 230, 20), "blue": (20, 20, 230)}.items():
        with open(os.path.join(out, name + ".png"), "wb") as f:
            f.write(png(4, 4, rgb))


# --------------------------------------------------------------------------------------------------
# Tiny llama GGUF (v3, F32), read by node-llama-cpp's llama.cpp

GGUF_UINT32, GGUF_INT32, GGUF_FLOAT32, GGUF_BOOL, GGUF_STRING, GGUF_ARRAY = 4, 5, 6, 7, 8, 9
GGML_F32 = 0
ALIGNMENT = 32

TOKEN_NORMAL, TOKEN_UNKNOWN, TOKEN_CONTROL, TOKEN_BYTE = 1, 2, 3, 6

CHATML_TEMPLATE = (
    "{% for message in messages %}"
    "{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)

LLAMA_WORDS = [
    "hello", "world", "the", "a", "cat", "dog", "sat", "on", "mat", "is", "and", "tiny", "model",
    "say", "hi", "user", "system", "assistant", "you", "are", "helpful", "once", "upon", "time",
]


def gguf_string(s):
    b = s.encode("utf-8")
    return struct.pack("<Q", len(b)) + b


def gguf_value(kind, value):
    if kind == GGUF_UINT32:
        return struct.pack("<I", value)
    if kind == GGUF_INT32:
        return struct.pack("<i", value)
    if kind == GGUF_FLOAT32:
        return struct.pack("<f", value)
    if kind == GGUF_BOOL:
        return struct.pack("<?", value)
    if kind == GGUF_STRING:
        return gguf_string(value)
    raise ValueError(kind)


def gguf_kv(key, kind, value, elem=None):
    out = gguf_string(key) + struct.pack("<I", kind)
    if kind == GGUF_ARRAY:
        out += struct.pack("<IQ", elem, len(value)) + b"".join(gguf_value(elem, x) for x in value)
    else:
        out += gguf_value(kind, value)
    return out


def llama_vocab():
    tokens = [("<unk>", TOKEN_UNKNOWN, 0.0), ("<s>", TOKEN_CONTROL, 0.0), ("</s>", TOKEN_CONTROL, 0.0),
              ("<|im_start|>", TOKEN_CONTROL, 0.0), ("<|im_end|>", TOKEN_CONTROL, 0.0)]
    tokens += [("<0x%02X>" % b, TOKEN_BYTE, 0.0) for b in range(256)]
    pieces = ["\u2581"] + LETTERS + ["\u2581" + w for w in LLAMA_WORDS] + [".", ",", "!", "?", "\n"]
    # SentencePiece merges the highest-scored pieces first: longer pieces score higher.
    tokens += [(p, TOKEN_NORMAL, float(len(p)) - 100.0) for p in pieces]
    return tokens


def tiny_llama(path, rng):
    tokens = llama_vocab()
    n_vocab = len(tokens)
    n_embd, n_head, n_ff, n_ctx = 32, 2, 64, 256
    head_dim = n_embd // n_head

    def w(*shape, scale=0.2):
        return rng.normal(0.0, scale, size=shape).astype(np.float32)

    # Dimension 0 of the residual stream is a constant 1 (every embedding has it, no layer writes to it),
    # so after the final RMS norm it is positive, and the output rows can rank token kinds: ordinary
    # pieces get +4 on it, control and byte tokens -4. Greedy decoding then never starts with
    # end-of-generation, and never emits raw bytes.
    embd = w(n_vocab, n_embd, scale=0.5)
    embd[:, 0] = 1.0
    out_w = w(n_vocab, n_embd, scale=0.5)
    for i, (_, kind, _) in enumerate(tokens):
        if kind == TOKEN_NORMAL:
            out_w[i, 0] = 4.0
        else:
            out_w[i, :] = 0.0
            out_w[i, 0] = -4.0
    attn_out = w(n_embd, n_embd)
    attn_out[0, :] = 0.0
    ffn_down = w(n_embd, n_ff)
    ffn_down[0, :] = 0.0

    tensors = [
        ("token_embd.weight", embd),
        ("output_norm.weight", np.ones(n_embd, dtype=np.float32)),
        ("output.weight", out_w),
        ("blk.0.attn_norm.weight", np.ones(n_embd, dtype=np.float32)),
        ("blk.0.attn_q.weight", w(n_embd, n_embd)),
        ("blk.0.attn_k.weight", w(n_embd, n_embd)),
        ("blk.0.attn_v.weight", w(n_embd, n_embd)),
        ("blk.0.attn_output.weight", attn_out),
        ("blk.0.ffn_norm.weight", np.ones(n_embd, dtype=np.float32)),
        ("blk.0.ffn_gate.weight", w(n_ff, n_embd)),
        ("blk.0.ffn_up.weight", w(n_ff, n_embd)),
        ("blk.0.ffn_down.weight", ffn_down),
    ]

    kvs = [
        gguf_kv("general.architecture", GGUF_STRING, "llama"),
        gguf_kv("general.name", GGUF_STRING, "hfrun tiny llama"),
        gguf_kv("general.alignment", GGUF_UINT32, ALIGNMENT),
        gguf_kv("general.file_type", GGUF_UINT32, 0),  # all F32
        gguf_kv("llama.context_length", GGUF_UINT32, n_ctx),
        gguf_kv("llama.embedding_length", GGUF_UINT32, n_embd),
        gguf_kv("llama.block_count", GGUF_UINT32, 1),
        gguf_kv("llama.feed_forward_length", GGUF_UINT32, n_ff),
        gguf_kv("llama.attention.head_count", GGUF_UINT32, n_head),
        gguf_kv("llama.attention.head_count_kv", GGUF_UINT32, n_head),
        gguf_kv("llama.rope.dimension_count", GGUF_UINT32, head_dim),
        gguf_kv("llama.attention.layer_norm_rms_epsilon", GGUF_FLOAT32, 1e-5),
        gguf_kv("tokenizer.ggml.model", GGUF_STRING, "llama"),
        gguf_kv("tokenizer.ggml.tokens", GGUF_ARRAY, [t for t, _, _ in tokens], GGUF_STRING),
        gguf_kv("tokenizer.ggml.scores", GGUF_ARRAY, [s for _, _, s in tokens], GGUF_FLOAT32),
        gguf_kv("tokenizer.ggml.token_type", GGUF_ARRAY, [k for _, k, _ in tokens], GGUF_INT32),
        gguf_kv("tokenizer.ggml.unknown_token_id", GGUF_UINT32, 0),
        gguf_kv("tokenizer.ggml.bos_token_id", GGUF_UINT32, 1),
        gguf_kv("tokenizer.ggml.eos_token_id", GGUF_UINT32, 2),
        gguf_kv("tokenizer.ggml.add_bos_token", GGUF_BOOL, True),
        gguf_kv("tokenizer.ggml.add_eos_token", GGUF_BOOL, False),
        gguf_kv("tokenizer.chat_template", GGUF_STRING, CHATML_TEMPLATE),
    ]

    def pad(n):
        return (ALIGNMENT - n % ALIGNMENT) % ALIGNMENT

    infos, blobs, offset = b"", [], 0
    for name, arr in tensors:
        # GGUF lists dimensions innermost first: numpy (rows, cols) is ggml ne = [cols, rows].
        dims = list(reversed(arr.shape))
        infos += gguf_string(name) + struct.pack("<I", len(dims))
        infos += b"".join(struct.pack("<Q", d) for d in dims)
        infos += struct.pack("<IQ", GGML_F32, offset)
        data = arr.astype("<f4").tobytes()
        blobs.append(data + b"\x00" * pad(len(data)))
        offset += len(data) + pad(len(data))

    header = b"GGUF" + struct.pack("<IQQ", 3, len(tensors), len(kvs)) + b"".join(kvs) + infos
    with open(path, "wb") as f:
        f.write(header + b"\x00" * pad(len(header)) + b"".join(blobs))


def main(argv):
    if len(argv) != 2:
        sys.stderr.write("usage: make_tiny_models.py OUT_DIR\n")
        return 2
    out = argv[1]
    os.makedirs(out, exist_ok=True)
    rng = np.random.RandomState(SEED)
    bert_model(os.path.join(out, "text-classifier"), rng, "BertForSequenceClassification", "sequence",
               TEXT_LABELS)
    bert_model(os.path.join(out, "token-classifier"), rng, "BertForTokenClassification", "token",
               NER_LABELS)
    bert_model(os.path.join(out, "fill-mask"), rng, "BertForMaskedLM", "token")
    bert_model(os.path.join(out, "question-answering"), rng, "BertForQuestionAnswering", "qa")
    bert_model(os.path.join(out, "nli"), rng, "BertForSequenceClassification", "sequence", NLI_LABELS)
    image_classifier(os.path.join(out, "image-classifier"))
    images(os.path.join(out, "images"))
    tiny_llama(os.path.join(out, "tiny-llama.gguf"), rng)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
