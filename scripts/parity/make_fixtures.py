#!/usr/bin/env python3
"""Reference token ids and embeddings for the pure-Go encoder (parity fixtures).

Writes embed/local/testdata/parity/<model>.json for every known model, computed
with the Hugging Face tokenizer (the fast one from tokenizer.json, as
sentence-transformers uses it) and sentence-transformers, loading only from the
local models dir that `make model` fills. Nothing is downloaded at run time.

Regenerate (from the repo root):

    make model                                   # or: bash scripts/fetch-models.sh models
    python3 -m venv /tmp/parity-venv
    /tmp/parity-venv/bin/pip install -r scripts/parity/requirements.txt
    /tmp/parity-venv/bin/python scripts/parity/make_fixtures.py --models models

Fixture layout (one JSON object per model):
    model, hub_repo, pooling ("mean" | "cls"), normalized (true), dims,
    max_seq_length (512: ids and embeddings are both truncated there, [SEP] kept),
    query_prefix, embeddings_available (false when the weights were absent:
    then only ids are recorded), generator (library versions),
    cases: [{name, text, ids, embedding?, query_ids?, query_embedding?}]
ids include [CLS] ... [SEP]; embeddings are L2-normalised float32 rounded to
7 significant digits. query_* is present only for models with a query prefix
(the prefix is prepended to text before tokenising).

Next to each, when the weights are present, <model>.debug.json holds every
hidden state (embedding output, then each layer's output; [layer][token][dim])
of the plain transformers BertModel for one short text, to localise a
mismatch in a forward pass layer by layer.

When bge-small-en-v1.5's weights are absent, its ids are still written, from
the all-MiniLM-L6-v2 tokenizer files: both models use the byte-identical
bert-base-uncased vocab.txt (same SHA-256 in embed/weights/checksums.txt) with
do_lower_case=true, so the ids are the same; the script checks that claim.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys

MAX_LEN = 512

MODELS = {
    "all-MiniLM-L6-v2": {
        "hub_repo": "sentence-transformers/all-MiniLM-L6-v2",
        "pooling": "mean",
        "query_prefix": "",
    },
    "bge-small-en-v1.5": {
        "hub_repo": "BAAI/bge-small-en-v1.5",
        "pooling": "cls",
        "query_prefix": "Represent this sentence for searching relevant passages: ",
    },
}


def long_prose() -> str:
    # Generated here (not copied from any corpus), > 512 word pieces.
    parts = []
    topics = ["write-ahead logs", "fsync semantics", "B-trees", "vector indexes",
              "tokenizers", "cache eviction", "consensus protocols", "page faults"]
    for i in range(60):
        t = topics[i % len(topics)]
        parts.append(f"Paragraph {i}: engineers often misunderstand {t}, and the "
                     f"consequences show up only under load (case #{i * 7}).")
    return " ".join(parts)


def long_code() -> str:
    lines = []
    for i in range(80):
        lines.append(f"func handler{i}(w http.ResponseWriter, r *http.Request) "
                     f"{{ if err := do{i}(r.Context()); err != nil {{ http.Error(w, err.Error(), 500) }} }}")
    return "\n".join(lines)


CASES: list[tuple[str, str]] = [
    ("short", "hello world"),
    ("sentence", "The quick brown fox jumps over the lazy dog."),
    ("question", "Does a successful write() call guarantee my data survives a power loss?"),
    ("lower_question", "how do i fsync a directory on linux?"),
    ("long_prose_past_512", long_prose()),
    ("long_code_past_512", long_code()),
    ("exactly_512", " ".join(["hello"] * 510)),
    ("just_past_512", " ".join(["hello"] * 511)),
    ("accents", "Café naïve résumé — Ångström, Straße, façade, coöperate"),
    ("upper_accents", "ÉCOLE SUPÉRIEURE, Zürich, São Paulo, Kraków, ÑANDÚ"),
    ("combining", "e\u0301 vs \u00e9, n\u0303 vs \u00f1"),
    ("cjk_mixed", "日本語のテキストと中文字符混合 with English words"),
    ("hangul", "안녕하세요 세계, 반갑습니다"),
    ("emoji", "I love Go 🐹🚀 and coffee ☕️ 👩‍💻 👍🏽"),
    ("code_go", 'func main() { fmt.Println("hi, world") } // prints\n\tx := []int{1, 2, 3}'),
    ("code_python", "def f(x):\n    return {k: v**2 for k, v in x.items() if v > 0}  # squares"),
    ("url", "see https://example.com/path/to/page?query=1&lang=en#section-2 for details"),
    ("email", "contact: jane.doe+blog@example.org or @jane_doe"),
    ("empty", ""),
    ("whitespace_only", "   \n\t  \r\n "),
    ("punctuation_heavy", "!!!???...,,,;;;:::---___***&&&^^^%%%$$$###@@@ ~~~ ``` ''' \"\"\""),
    ("mixed_case", "iPhone, macOS, GitHub, PostgreSQL, JSON-RPC, gRPC, McDonald's, XMLHttpRequest"),
    ("numbers", "3.14159 2,718 1e-9 -42 0x1F 1,000,000 2026-11-22 12:30pm 50% $9.99 №5"),
    ("control_chars", "tab\there\x00null\u200bzero-width\ufffdreplacement\x07bell\x1bescape"),
    ("arabic", "مرحبا بالعالم، كيف حالك؟"),
    ("cyrillic", "Привет, мир! Ёлка и ЁЖИК."),
    ("greek", "Καλημέρα κόσμε, ΆΈΉΊ"),
    ("devanagari", "नमस्ते दुनिया, यह एक परीक्षण है"),
    ("thai", "สวัสดีชาวโลก"),
    ("long_word_unk", "a" * 150 + " supercalifragilisticexpialidocious " + "b" * 100),
    ("markdown", "# Heading\n\n- item one\n- item **bold** and _italic_\n\n> quote [link](http://x.y)"),
    ("html", "<p>Hello <b>world</b> &amp; friends &lt;3</p>"),
    ("math", "∑ x² ≤ ∞ ± √2 → λ·μ ≠ ∅"),
    ("fullwidth", "ＦＵＬＬＷＩＤＴＨ ＡＢＣ １２３ ｶﾀｶﾅ"),
    ("ligatures", "ﬁle ﬂow æsthetic Œuvre ß"),
    ("apostrophes", "don't won't it's O'Reilly's ‘curly’ “quotes”"),
    ("unicode_spaces", "non\u00a0breaking\u2003em space\u3000ideographic\u2028line sep"),
    ("special_tokens_in_text", "[CLS] [SEP] [MASK] [UNK] [PAD] are special; [cls] is not"),
    ("paragraphs", "First paragraph.\n\n\nSecond paragraph,\nwith a line break.\n\n  Third."),
    ("ascii_symbols", "a+b=c; a|b; a\\b; a/b; {a}; [b]; <c>; ^d; `e`; ~f"),
]


def round7(vec) -> list[float]:
    return [float(f"{float(x):.7g}") for x in vec]


def sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def ids_of(tok, text: str) -> list[int]:
    return tok(text, truncation=True, max_length=MAX_LEN)["input_ids"]


DEBUG_TEXT = "Hello, world!"


def write_debug(out_dir: str, name: str, mdir: str, tok, generator: dict) -> None:
    import torch
    from transformers import AutoModel

    bert = AutoModel.from_pretrained(mdir, local_files_only=True).eval()
    enc = tok(DEBUG_TEXT, return_tensors="pt")
    with torch.no_grad():
        out = bert(**enc, output_hidden_states=True)
    doc = {
        "model": name,
        "text": DEBUG_TEXT,
        "ids": enc["input_ids"][0].tolist(),
        "layers": "hidden_states[0] = embeddings (after LayerNorm), [i] = output of encoder layer i",
        "hidden_states": [[round7(tokvec) for tokvec in h[0]] for h in out.hidden_states],
        "generator": generator,
    }
    path = os.path.join(out_dir, f"{name}.debug.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {path} ({os.path.getsize(path)} bytes)", file=sys.stderr)


def onnx_cross_check(onnx_path: str, tok, meta: dict, cases: list[dict]) -> float:
    """Run the original ONNX export with onnxruntime on the same ids and return the
    lowest cosine to the sentence-transformers embeddings (both L2-normalised).
    An independent check that `semsearch model import` converted the export into
    the weights sentence-transformers ran: a wrong tensor would show up here."""
    import numpy as np
    import onnxruntime as ort

    sess = ort.InferenceSession(onnx_path, providers=["CPUExecutionProvider"])
    worst = 1.0
    for c in cases:
        for key, emb_key in (("ids", "embedding"), ("query_ids", "query_embedding")):
            if key not in c:
                continue
            ids = np.array([c[key]], dtype=np.int64)
            feeds = {"input_ids": ids, "attention_mask": np.ones_like(ids), "token_type_ids": np.zeros_like(ids)}
            hidden = sess.run(None, feeds)[0][0]
            vec = hidden[0] if meta["pooling"] == "cls" else hidden.mean(axis=0)
            vec = vec / np.linalg.norm(vec)
            ref = np.array(c[emb_key])
            worst = min(worst, float(vec @ ref / np.linalg.norm(ref)))
    return worst


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--models", default="models", help="models dir filled by `make model`")
    ap.add_argument("--out", default=os.path.join("embed", "local", "testdata", "parity"))
    ap.add_argument("--onnx-check", action="append", default=[], metavar="MODEL=PATH",
                    help="cross-check MODEL's embeddings against its original ONNX export run by onnxruntime")
    args = ap.parse_args()
    onnx_checks = dict(a.split("=", 1) for a in args.onnx_check)

    import sentence_transformers
    import torch
    import transformers
    from transformers import AutoTokenizer, BertTokenizer

    torch.manual_seed(0)
    generator = {
        "sentence_transformers": sentence_transformers.__version__,
        "transformers": transformers.__version__,
        "torch": torch.__version__,
    }
    os.makedirs(args.out, exist_ok=True)
    minilm_dir = os.path.join(args.models, "all-MiniLM-L6-v2")

    for name, meta in MODELS.items():
        mdir = os.path.join(args.models, name)
        have_weights = os.path.isfile(os.path.join(mdir, "model.safetensors"))
        tok_dir = mdir if os.path.isfile(os.path.join(mdir, "vocab.txt")) else minilm_dir
        if tok_dir != mdir:
            # Only valid because the vocab is byte-identical (see module doc).
            if name != "bge-small-en-v1.5":
                sys.exit(f"{name}: no vocab.txt in {mdir}; run make model")
            print(f"{name}: weights absent; ids from {tok_dir} (identical vocab)", file=sys.stderr)
        tok = AutoTokenizer.from_pretrained(tok_dir, local_files_only=True)
        slow = BertTokenizer.from_pretrained(tok_dir, local_files_only=True)

        model = None
        if have_weights:
            from sentence_transformers import SentenceTransformer
            model = SentenceTransformer(mdir, device="cpu", local_files_only=True)
            model.max_seq_length = MAX_LEN

        cases = []
        for cname, text in CASES:
            ids = ids_of(tok, text)
            if ids != ids_of(slow, text):
                print(f"{name}/{cname}: fast and slow HF tokenizers disagree; keeping fast",
                      file=sys.stderr)
            c = {"name": cname, "text": text, "ids": ids}
            if meta["query_prefix"]:
                c["query_ids"] = ids_of(tok, meta["query_prefix"] + text)
            if model is not None:
                # sentence-transformers tokenises exactly like tok above; assert it.
                feats = model.tokenize([text])
                st_ids = feats["input_ids"][0][feats["attention_mask"][0].bool()].tolist()
                assert st_ids == ids, f"{name}/{cname}: ST ids differ from tokenizer ids"
                c["embedding"] = round7(model.encode(text, normalize_embeddings=True))
                if meta["query_prefix"]:
                    c["query_embedding"] = round7(model.encode(
                        meta["query_prefix"] + text, normalize_embeddings=True))
            cases.append(c)

        doc = {
            "model": name,
            "hub_repo": meta["hub_repo"],
            "pooling": meta["pooling"],
            "normalized": True,
            "dims": 384,
            "max_seq_length": MAX_LEN,
            "query_prefix": meta["query_prefix"],
            "embeddings_available": model is not None,
            "vocab_sha256": sha256(os.path.join(tok_dir, "vocab.txt")),
            "generator": generator,
            "cases": cases,
        }
        if model is not None and name in onnx_checks:
            worst = onnx_cross_check(onnx_checks[name], tok, meta, cases)
            print(f"{name}: onnxruntime on the original export vs sentence-transformers: "
                  f"worst cosine {worst:.9f}", file=sys.stderr)
            if worst < 0.99999:
                sys.exit(f"{name}: the imported weights do not match the ONNX export")
            doc["onnx_cross_check_worst_cosine"] = worst
        if model is not None:
            write_debug(args.out, name, mdir, tok, generator)
        out = os.path.join(args.out, f"{name}.json")
        with open(out, "w", encoding="utf-8") as f:
            json.dump(doc, f, ensure_ascii=False, separators=(",", ":"))
            f.write("\n")
        print(f"wrote {out} ({os.path.getsize(out)} bytes, {len(cases)} cases, "
              f"embeddings={model is not None})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
