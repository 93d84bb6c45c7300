"""A second opinion from meaning: a static word-piece embedding table, no network at run time.

The table (`data/static-minilm.npz`) was distilled from the sentence model all-MiniLM-L6-v2
(Apache-2.0) by `privacybot content build-embeddings`: every word piece of the model's vocabulary
has one 256-number vector. A text's vector is the mean of its pieces' vectors, so meaning costs a
tokenizer, a table lookup and one matrix-vector product against the examples.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

TABLE_PATH = Path(__file__).parent / "data" / "static-minilm.npz"
_MAX_WORD_CHARS = 100  # longer "words" are one unknown piece, as in the original tokenizer
_CONTINUATION = "##"

FloatVector = npt.NDArray[np.float32]


def _is_punctuation(char: str) -> bool:
    code = ord(char)
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True
    return unicodedata.category(char).startswith("P")


def _is_cjk(code: int) -> bool:
    return (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0x20000 <= code <= 0x2A6DF
        or 0x2A700 <= code <= 0x2CEAF
        or 0xF900 <= code <= 0xFAFF
        or 0x2F800 <= code <= 0x2FA1F
    )


# For plain ASCII text the rules below reduce to this: letters and digits in runs, any other
# visible character alone, control characters dropped.
_ASCII_WORDS = re.compile(r"[a-z0-9]+|[^a-z0-9\s]")
_ASCII_CONTROLS = {code: " " if chr(code) in "\t\n\r" else None for code in (*range(32), 127)}


def bert_words(text: str) -> list[str]:
    """BERT's uncased normaliser and pre-tokeniser: the words the word-piece step splits further."""
    if text.isascii():
        return _ASCII_WORDS.findall(text.translate(_ASCII_CONTROLS).lower())
    cleaned: list[str] = []
    for char in text:
        code = ord(char)
        if code in (0, 0xFFFD):
            continue
        category = unicodedata.category(char)
        if char in "\t\n\r" or category == "Zs":
            cleaned.append(" ")
        elif category.startswith("C"):
            continue
        elif _is_cjk(code):
            cleaned.append(f" {char} ")
        else:
            cleaned.append(char)
    decomposed = unicodedata.normalize("NFD", "".join(cleaned).lower())
    stripped = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    words: list[str] = []
    for chunk in stripped.split():
        current = ""
        for char in chunk:
            if _is_punctuation(char):
                if current:
                    words.append(current)
                    current = ""
                words.append(char)
            else:
                current += char
        if current:
            words.append(current)
    return words


class StaticEmbedder:
    """Turns text into a unit vector; two texts' dot product is how alike they are in meaning."""

    def __init__(
        self,
        vocabulary: list[str],
        vectors: npt.NDArray[np.int8],
        scales: npt.NDArray[np.float32],
    ) -> None:
        self._ids = {piece: index for index, piece in enumerate(vocabulary)}
        # Kept as int8 with one scale per row (7.5 MB rather than 30 in float32); only the rows
        # a text uses are widened.
        self._vectors = vectors
        self._scales = scales.astype(np.float32)
        self._pieces_of: dict[str, tuple[int, ...]] = {}
        self.dimensions = int(vectors.shape[1])

    @classmethod
    def load(cls, path: Path = TABLE_PATH) -> StaticEmbedder:
        with np.load(path, allow_pickle=False) as table:
            vocabulary = [str(piece) for piece in table["vocabulary"]]
            return cls(vocabulary, table["vectors"], table["scales"])

    def _word_pieces(self, word: str) -> tuple[int, ...]:
        cached = self._pieces_of.get(word)
        if cached is not None:
            return cached
        pieces: list[int] = []
        if len(word) <= _MAX_WORD_CHARS:
            start = 0
            while start < len(word):
                end = len(word)
                found = None
                while end > start:
                    piece = word[start:end] if start == 0 else _CONTINUATION + word[start:end]
                    found = self._ids.get(piece)
                    if found is not None:
                        break
                    end -= 1
                if found is None:
                    pieces = []  # as in BERT: a word that cannot be split is unknown as a whole
                    break
                pieces.append(found)
                start = end
        result = tuple(pieces)
        if len(self._pieces_of) < 50_000:
            self._pieces_of[word] = result
        return result

    def piece_ids(self, text: str) -> list[int]:
        """The vocabulary rows of `text`'s word pieces, unknown words left out."""
        return [index for word in bert_words(text) for index in self._word_pieces(word)]

    def embed(self, text: str) -> FloatVector:
        """The mean of the pieces' vectors, scaled to length one (zeros when nothing is known)."""
        ids = self.piece_ids(text)
        if not ids:
            return np.zeros(self.dimensions, dtype=np.float32)
        rows = self._vectors[ids].astype(np.float32) * self._scales[ids, None]
        mean: FloatVector = rows.mean(axis=0)
        norm = float(np.linalg.norm(mean))
        return mean / norm if norm > 0 else mean

    def embed_many(self, texts: list[str]) -> npt.NDArray[np.float32]:
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        return np.vstack([self.embed(text) for text in texts])


@cache
def shipped_embedder() -> StaticEmbedder:
    """The table that ships in the package, read once per process."""
    return StaticEmbedder.load()
