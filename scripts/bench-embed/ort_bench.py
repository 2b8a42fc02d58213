#!/usr/bin/env python3
"""onnxruntime side of `make bench-embed`.

Builds an ONNX graph of a BERT sentence encoder straight from the model's
safetensors + config (the same ops an HF export produces: Gather, LayerNorm,
MatMul+Add, Softmax, erf GELU), lets onnxruntime's transformer optimizer fuse
it, writes it to a temporary directory (never into the repo), then measures
chunks/s for each (seq_len, batch) with the same synthetic token ids the Go
benchmark uses. Prints one JSON object per line.

Usage: ort_bench.py MODEL_DIR NAME --threads 2 --cases 128x1,128x32,256x1,256x32
"""
import argparse
import json
import os
import struct
import sys
import tempfile
import time

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        a, b = e["data_offsets"]
        dt = {"F32": np.float32, "F16": np.float16, "BF16": None, "I64": np.int64}[e["dtype"]]
        if dt is None:  # bf16 -> f32
            raw = np.frombuffer(data[a:b], dtype=np.uint16).astype(np.uint32) << 16
            arr = raw.view(np.float32)
        else:
            arr = np.frombuffer(data[a:b], dtype=dt)
        out[name] = arr.reshape(e["shape"]).astype(np.float32) if dt is not np.int64 else arr
    for p in ("bert.", "model."):
        if any(k.startswith(p) for k in out):
            out = {k[len(p):] if k.startswith(p) else k: v for k, v in out.items()}
    return out


def pooling_mode(model_dir):
    try:
        with open(os.path.join(model_dir, "1_Pooling", "config.json")) as f:
            p = json.load(f)
        return "cls" if p.get("pooling_mode_cls_token") else "mean"
    except FileNotFoundError:
        return "mean"


def build_graph(model_dir):
    cfg = json.load(open(os.path.join(model_dir, "config.json")))
    w = read_safetensors(os.path.join(model_dir, "model.safetensors"))
    H, heads, layers = cfg["hidden_size"], cfg["num_attention_heads"], cfg["num_hidden_layers"]
    dh = H // heads
    eps = cfg.get("layer_norm_eps", 1e-12)
    inits, nodes = [], []

    def const(name, arr):
        inits.append(numpy_helper.from_array(np.ascontiguousarray(arr), name))
        return name

    cnt = [0]

    def node(op, inputs, **attrs):
        cnt[0] += 1
        out = f"{op}_{cnt[0]}"
        nodes.append(helper.make_node(op, inputs, [out], **attrs))
        return out

    def linear(x, prefix):
        y = node("MatMul", [x, const(prefix + ".wt", w[prefix + ".weight"].T)])
        return node("Add", [y, const(prefix + ".b", w[prefix + ".bias"])])

    def layernorm(x, prefix):
        return node("LayerNormalization", [x, const(prefix + ".g", w[prefix + ".weight"]),
                                           const(prefix + ".beta", w[prefix + ".bias"])], axis=-1, epsilon=eps)

    # Embeddings.
    we = node("Gather", [const("word", w["embeddings.word_embeddings.weight"]), "input_ids"])
    pe = node("Gather", [const("pos", w["embeddings.position_embeddings.weight"]), "position_ids"])
    te = const("type0", w["embeddings.token_type_embeddings.weight"][0])
    x = node("Add", [node("Add", [we, pe]), te])
    x = layernorm(x, "embeddings.LayerNorm")
    # Extended attention mask as HF's BERT exports it: (1 - mask) * -10000,
    # broadcast over heads and query positions. Its presence is what lets
    # onnxruntime's optimizer recognise and fuse the attention subgraph.
    m4 = node("Unsqueeze", ["attention_mask", const("axes12", np.array([1, 2], dtype=np.int64))])
    m4 = node("Cast", [m4], to=TensorProto.FLOAT)
    m4 = node("Mul", [node("Sub", [const("onef", np.array(1.0, dtype=np.float32)), m4]),
                      const("neg", np.array(-10000.0, dtype=np.float32))])
    shape4 = const("shape4", np.array([0, 0, heads, dh], dtype=np.int64))
    shape3 = const("shape3", np.array([0, 0, H], dtype=np.int64))
    sqrt_dh = const("sqrt_dh", np.array(np.sqrt(dh), dtype=np.float32))
    for i in range(layers):
        p = f"encoder.layer.{i}."
        q = node("Transpose", [node("Reshape", [linear(x, p + "attention.self.query"), shape4])], perm=[0, 2, 1, 3])
        k = node("Transpose", [node("Reshape", [linear(x, p + "attention.self.key"), shape4])], perm=[0, 2, 3, 1])
        v = node("Transpose", [node("Reshape", [linear(x, p + "attention.self.value"), shape4])], perm=[0, 2, 1, 3])
        s = node("Softmax", [node("Add", [node("Div", [node("MatMul", [q, k]), sqrt_dh]), m4])], axis=-1)
        c = node("Reshape", [node("Transpose", [node("MatMul", [s, v])], perm=[0, 2, 1, 3]), shape3])
        x = layernorm(node("Add", [linear(c, p + "attention.output.dense"), x]), p + "attention.output.LayerNorm")
        h = linear(x, p + "intermediate.dense")
        g = node("Erf", [node("Div", [h, const(p + "sqrt2", np.array(np.sqrt(2.0), dtype=np.float32))])])
        g = node("Mul", [node("Mul", [h, node("Add", [g, const(p + "one", np.array(1.0, dtype=np.float32))])]),
                         const(p + "half", np.array(0.5, dtype=np.float32))])
        x = layernorm(node("Add", [linear(g, p + "output.dense"), x]), p + "output.LayerNorm")
    if pooling_mode(model_dir) == "cls":
        pooled = node("Gather", [x, const("zero", np.array(0, dtype=np.int64))], axis=1)
        # The transformer optimizer keeps the [CLS] row as [batch, 1, H]: say [batch, H].
        pooled = node("Reshape", [pooled, const("cls_shape", np.array([-1, H], dtype=np.int64))])
    else:
        pooled = node("ReduceMean", [x], axes=[1], keepdims=0)
    out = node("LpNormalization", [pooled], axis=-1, p=2)
    nodes.append(helper.make_node("Identity", [out], ["embedding"]))
    graph = helper.make_graph(
        nodes, "encoder",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "seq"]),
         helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "seq"]),
         helper.make_tensor_value_info("position_ids", TensorProto.INT64, ["batch", "seq"])],
        [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["batch", H])],
        inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8  # what onnxruntime releases of the last years all load
    return model, cfg


def synthetic_ids(batch, seq):
    """Same formula as the Go benchmark: [CLS] pieces [SEP]."""
    ids = np.empty((batch, seq), dtype=np.int64)
    for b in range(batch):
        for j in range(seq):
            ids[b, j] = 1000 + (j * 7919 + b * 104729) % 28000
        ids[b, 0], ids[b, seq - 1] = 101, 102
    return ids


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model_dir")
    ap.add_argument("name")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--cases", default="128x1,128x32,256x1,256x32")
    ap.add_argument("--seconds", type=float, default=3.0, help="minimum measuring time per case")
    ap.add_argument("--check", help="parity fixture JSON: print the cosine to its first embeddings")
    args = ap.parse_args()

    import onnxruntime as ort

    model, cfg = build_graph(args.model_dir)
    with tempfile.TemporaryDirectory(prefix="semsearch-ort-") as tmp:
        path = os.path.join(tmp, "model.onnx")
        onnx.save_model(model, path, save_as_external_data=True, location="weights.bin")
        optimized = path
        try:  # fuse attention / gelu / skip-layernorm as for an HF export
            from onnxruntime.transformers import optimizer
            opt = optimizer.optimize_model(path, model_type="bert", num_heads=cfg["num_attention_heads"],
                                           hidden_size=cfg["hidden_size"], opt_level=0)
            optimized = os.path.join(tmp, "model.opt.onnx")
            opt.save_model_to_file(optimized, use_external_data_format=True)
            fused = sorted({n.op_type for n in opt.model.graph.node})
        except Exception as e:  # the plain graph still runs with ORT's own fusions
            print(f"ort_bench: transformer optimizer unavailable ({e}); using the plain graph", file=sys.stderr)
            fused = []
        so = ort.SessionOptions()
        so.intra_op_num_threads = args.threads
        so.inter_op_num_threads = 1
        so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        sess = ort.InferenceSession(optimized, so, providers=["CPUExecutionProvider"])

        def run(ids):
            pos = np.broadcast_to(np.arange(ids.shape[1], dtype=np.int64), ids.shape).copy()
            mask = np.ones_like(ids)  # no padding: every sequence has the same length
            return sess.run(["embedding"], {"input_ids": ids, "attention_mask": mask, "position_ids": pos})[0]

        if args.check:
            fx = json.load(open(args.check))
            cos = []
            for c in fx["cases"][:8]:
                if c.get("embedding"):
                    e = run(np.array([c["ids"]], dtype=np.int64))[0]
                    ref = np.array(c["embedding"], dtype=np.float32)
                    cos.append(float(e @ ref / np.linalg.norm(e) / np.linalg.norm(ref)))
            print(json.dumps({"impl": "onnxruntime", "model": args.name, "check_min_cosine": min(cos) if cos else None,
                              "fused_ops": fused}), flush=True)

        for case in args.cases.split(","):
            seq, batch = map(int, case.split("x"))
            ids = synthetic_ids(batch, seq)
            run(ids)  # warm-up
            n, start, cpu0 = 0, time.perf_counter(), time.process_time()
            while True:
                run(ids)
                n += 1
                el = time.perf_counter() - start
                if el >= args.seconds and n >= 3:
                    break
            cpu = time.process_time() - cpu0  # all threads of the process, spinning included
            print(json.dumps({"impl": "onnxruntime", "model": args.name, "seq": seq, "batch": batch,
                              "threads": args.threads, "chunks_per_s": n * batch / el,
                              "chunks_per_cpu_s": n * batch / cpu if cpu > 0 else None}), flush=True)


if __name__ == "__main__":
    main()
