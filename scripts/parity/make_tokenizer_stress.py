#!/usr/bin/env python3
"""Random-text token-id fixtures for embed/wordpiece (no model weights needed).

Writes embed/wordpiece/testdata/hf_stress.json: deterministic random strings
drawn from many scripts and edge-case characters, with the ids Hugging Face's
fast tokenizer (tokenizer.json, the one sentence-transformers runs) gives them,
truncated at 512: lower-cased as the known models are, and cased (the same
pipeline with BertNormalizer(lowercase=False), to keep that path honest).

    /tmp/parity-venv/bin/python scripts/parity/make_tokenizer_stress.py --model-dir models/all-MiniLM-L6-v2
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import sys

OUT = os.path.join("embed", "wordpiece", "testdata", "hf_stress.json")

POOLS = {
    "ascii": [chr(c) for c in range(0x20, 0x7F)],
    "words": ["the", "search", "engine", "Embedding", "tokenizer", "unaffable", "running",
              "GoLang", "fsync", "PostgreSQL", "naïve", "café", "straße", "don't", "e-mail"],
    "latin1": [chr(c) for c in range(0xA0, 0x100)],
    "latin_ext": [chr(c) for c in range(0x100, 0x250)],
    "combining": [chr(c) for c in range(0x300, 0x370)],
    "greek": [chr(c) for c in range(0x370, 0x400)],
    "cyrillic": [chr(c) for c in range(0x400, 0x500)],
    "arabic_hebrew": [chr(c) for c in range(0x590, 0x700)],
    "indic": [chr(c) for c in range(0x900, 0x980)],
    "cjk": [chr(c) for c in range(0x4E00, 0x4E00 + 400)] + [chr(c) for c in range(0x3400, 0x3440)],
    "kana": [chr(c) for c in range(0x3040, 0x3100)],
    "hangul": [chr(c) for c in range(0xAC00, 0xAC00 + 300)],
    "fullwidth": [chr(c) for c in range(0xFF01, 0xFF9F)],
    "punct_general": [chr(c) for c in range(0x2000, 0x2070)] + [chr(c) for c in range(0x2E00, 0x2E60)],
    "symbols": [chr(c) for c in range(0x2100, 0x2300)],
    "emoji": [chr(c) for c in range(0x1F300, 0x1F350)] + [chr(c) for c in range(0x1F900, 0x1FA00)]
    + ["\u200d", "\ufe0f", "\U0001F3FD"],
    "space_ctrl": [" ", "\t", "\n", "\r", "\x0b", "\x0c", "\x00", "\x85", "\xa0", "\u2028",
                   "\u3000", "\ufeff", "\ufffd", "\u200b", "\x7f", "\ue000"],
    "special": ["[CLS]", "[SEP]", "[PAD]", "[MASK]", "[UNK]", "[cls]", "[CLS", "##", "[unused1]"],
    "new_unicode": ["\u2e52", "\u2e5d", "\u0890", "\u1abf", "\U00016fe4", "\U0001faf0", "\u08c7"],
    "ligature": ["ﬁ", "ﬂ", "ﬀ", "Æ", "Œ", "ẞ", "İ", "ı", "ǅ", "Σ", "ς", "K"],
}


def sample(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.05:  # a long word near / past the 100-char limit
        ch = rng.choice(["a", "é", "ß", "ﬁ", "x\u0301"])
        return ch * rng.choice([99, 100, 101, 150])
    if kind < 0.08:  # long text, past 512 ids
        return " ".join(rng.choice(POOLS["words"] + POOLS["cjk"]) for _ in range(700))
    names = rng.sample(sorted(POOLS), k=rng.randint(1, 4))
    parts = []
    for _ in range(rng.randint(1, 40)):
        parts.append(rng.choice(POOLS[rng.choice(names)]))
        if rng.random() < 0.3:
            parts.append(" ")
    return "".join(parts)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model-dir", default=os.path.join("models", "all-MiniLM-L6-v2"))
    ap.add_argument("-n", type=int, default=600)
    args = ap.parse_args()
    from tokenizers import Tokenizer
    from tokenizers.normalizers import BertNormalizer
    from transformers import AutoTokenizer

    def load(lowercase: bool) -> Tokenizer:
        tok = Tokenizer.from_file(os.path.join(args.model_dir, "tokenizer.json"))
        tok.no_padding()
        tok.enable_truncation(max_length=512)
        if not lowercase:
            tok.normalizer = BertNormalizer(clean_text=True, handle_chinese_chars=True,
                                            strip_accents=None, lowercase=False)
        return tok

    uncased, cased = load(True), load(False)
    # The raw tokenizers pipeline must agree with what transformers builds.
    ref = AutoTokenizer.from_pretrained(args.model_dir, local_files_only=True)
    for probe in ["Hello, World! Café", "日本語 [CLS] x", "a" * 120]:
        assert uncased.encode(probe).ids == ref(probe, truncation=True, max_length=512)["input_ids"], probe
    args.vocab = os.path.join(args.model_dir, "vocab.txt")
    rng = random.Random(20261122)
    cases = []
    for _ in range(args.n):
        text = sample(rng)
        cases.append({
            "text": text,
            "ids": uncased.encode(text).ids,
            "cased_ids": cased.encode(text).ids,
        })
    with open(args.vocab, "rb") as f:
        vocab_sha = hashlib.sha256(f.read()).hexdigest()
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump({"vocab_sha256": vocab_sha, "max_len": 512, "cases": cases}, f,
                  ensure_ascii=True, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {OUT} ({os.path.getsize(OUT)} bytes, {len(cases)} cases)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
