"""Embeddings and the model list as plain data (the model list in the shape OpenAI's API reference gives).

An embedding is a bag of lower-cased words hashed into 256 buckets and L2-normalised: texts that share words have a
high cosine similarity and identical texts give 1.0, which is all the `similar` check needs to be tested.
"""

from __future__ import annotations

import base64
import hashlib
import math
import struct
from typing import Any

EMBEDDING_BUCKETS = 256
MODEL_CREATED = 1686935002


def embedding_vector(text: str) -> list[float]:
    """Bag of lower-cased words hashed into 256 buckets, L2-normalised: shared words give high cosine similarity."""
    counts = [0.0] * EMBEDDING_BUCKETS
    for word in text.lower().split():
        bucket = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=4).digest(), "little")
        counts[bucket % EMBEDDING_BUCKETS] += 1.0
    norm = math.sqrt(sum(c * c for c in counts))
    return [c / norm for c in counts] if norm else counts


def embeddings(body: dict[str, Any], inputs: list[str]) -> dict[str, Any]:
    as_base64 = body.get("encoding_format") == "base64"
    data = []
    for index, text in enumerate(inputs):
        vector = embedding_vector(text)
        encoded: Any = base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode() if as_base64 else vector
        data.append({"object": "embedding", "index": index, "embedding": encoded})
    words = sum(len(text.split()) for text in inputs)
    return {
        "object": "list",
        "data": data,
        "model": body["model"],
        "usage": {"prompt_tokens": words, "total_tokens": words},
    }


# ---- models ---------------------------------------------------------------------------------------------------


def model(model_id: str) -> dict[str, Any]:
    return {"id": model_id, "object": "model", "created": MODEL_CREATED, "owned_by": "openai"}


def model_list(model_ids: list[str]) -> dict[str, Any]:
    return {"object": "list", "data": [model(m) for m in model_ids]}
