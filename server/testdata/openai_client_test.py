#!/usr/bin/env python3
"""Calls semsearch's /v1/embeddings with the official openai Python package.

Run by server/embeddings_test.go (TestEmbeddings_PythonOpenAI). Environment:
  SEMSEARCH_URL     base URL of the OpenAI-compatible API, ending in /v1
  SEMSEARCH_INPUTS  JSON array of strings to embed
  OPENAI_API_KEY    any value (the client requires one)
Prints one JSON object: the served model, the vectors fetched with
encoding_format "float" and with the client's default (base64, decoded by
the client), the usage, and the HTTP status of a deliberately invalid call.
"""

import json
import os
import sys

import openai


def main() -> int:
    client = openai.OpenAI(base_url=os.environ["SEMSEARCH_URL"], max_retries=0, timeout=30)
    inputs = json.loads(os.environ["SEMSEARCH_INPUTS"])

    as_float = client.embeddings.create(input=inputs, model="any-model", encoding_format="float")
    # Without encoding_format the client asks for base64 and decodes it.
    as_default = client.embeddings.create(input=inputs, model="any-model")

    errors = {}
    try:
        client.embeddings.create(input="x", model="any-model", dimensions=3)
        errors["dimensions"] = 200
    except openai.APIStatusError as e:
        errors["dimensions"] = e.status_code

    json.dump(
        {
            "model": as_float.model,
            "float": [d.embedding for d in sorted(as_float.data, key=lambda d: d.index)],
            "base64": [list(map(float, d.embedding)) for d in sorted(as_default.data, key=lambda d: d.index)],
            "usage": {"prompt_tokens": as_float.usage.prompt_tokens, "total_tokens": as_float.usage.total_tokens},
            "errors": errors,
        },
        sys.stdout,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
