#!/usr/bin/env python3
"""Formats the table of scripts/bench-embed.sh from the Go benchmark output
(go-<model>-<round>.txt) and the onnxruntime JSON lines
(ort-<model>-<round>.jsonl), keeping the best round of each."""
import glob
import json
import os
import re
import sys

out_dir, models_dir, threads = sys.argv[1], sys.argv[2], sys.argv[3]
line_re = re.compile(r"^BenchmarkEmbed/(?P<model>[^/]+)/seq(?P<seq>\d+)/batch(?P<batch>\d+)(?:-\d+)?\s+\d+\s+[\d.]+ ns/op(?P<metrics>.*)$")

rows = {}
rss = {}


def best(d, k, v):
    if v is not None:
        d[k] = max(d.get(k) or 0, v)


for path in sorted(glob.glob(os.path.join(out_dir, "go-*.txt"))):
    for line in open(path):
        m = line_re.match(line.strip())
        if not m:
            continue
        metrics = dict((unit, float(v)) for v, unit in re.findall(r"([\d.]+) (\S+)", m["metrics"]))
        key = (m["model"], int(m["seq"]), int(m["batch"]))
        best(rows.setdefault(key, {}), "go", metrics.get("chunks/s"))
        best(rows[key], "go_cpu", metrics.get("chunks/cpu_s"))
        r = rss.setdefault(m["model"], {"peak": 0, "weights": metrics.get("weights_MB", 0)})
        r["peak"] = max(r["peak"], metrics.get("peakRSS_MB", 0))
checks = {}
for path in sorted(glob.glob(os.path.join(out_dir, "ort-*.jsonl"))):
    for line in open(path):
        d = json.loads(line)
        if "check_min_cosine" in d:
            checks[d["model"]] = d["check_min_cosine"]
            continue
        row = rows.setdefault((d["model"], d["seq"], d["batch"]), {})
        best(row, "ort", d["chunks_per_s"])
        best(row, "ort_cpu", d.get("chunks_per_cpu_s"))

print(f"\nbest of the rounds; {threads} threads each (Go: GOMAXPROCS={threads}; onnxruntime: intra_op_num_threads={threads})\n")
print(f"{'model':<18} {'tokens':>6} {'batch':>5} | {'chunks/s':>25} | {'chunks per CPU-second':>25}")
print(f"{'':<18} {'':>6} {'':>5} | {'Go':>7} {'ORT':>7} {'Go/ORT':>9} | {'Go':>7} {'ORT':>7} {'Go/ORT':>9}")


def fmt(x):
    return f"{x:.1f}" if x else "-"


def ratio(a, b):
    return f"{a / b:.0%}" if a and b else "-"


for (model, seq, batch), v in sorted(rows.items()):
    go, ort, gc, oc = v.get("go"), v.get("ort"), v.get("go_cpu"), v.get("ort_cpu")
    print(f"{model:<18} {seq:>6} {batch:>5} | {fmt(go):>7} {fmt(ort):>7} {ratio(go, ort):>9} | "
          f"{fmt(gc):>7} {fmt(oc):>7} {ratio(gc, oc):>9}")
print()
for model, r in sorted(rss.items()):
    size = os.path.getsize(os.path.join(models_dir, model, "model.safetensors")) / (1 << 20)
    print(f"{model}: Go peak RSS {r['peak']:.0f} MB (VmHWM, whole bench process) for {size:.0f} MB of weights "
          f"({r['peak'] / size:.2f}x; f32 weights in memory {r['weights']:.0f} MB)")
for model, c in sorted(checks.items()):
    if c is not None:
        print(f"{model}: onnxruntime graph vs parity fixture: min cosine {c:.6f}")
