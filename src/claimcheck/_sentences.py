"""Sentence splitting, shared by the sources (a stored document keeps its spans) and the matcher.

pysbd splits English scientific prose right ("e.g.", "et al.", "5.4", "XLM-R"); two mends are ours: a full
stop glued to the next sentence ("task.In this paper") is a boundary, and the spans are found without
compiling a regular expression per sentence.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from typing import Any

import pysbd
from pysbd.utils import TextSpan

__all__ = ["SPLITTER", "sentence_spans", "spans_digest", "split_texts"]

SPLITTER = f"claimcheck-sentences/1 pysbd/{getattr(pysbd, '__version__', '?')}"
"""What split a text: kept spans are reused only while it stays the same (`spans_digest`). Bump the number
when `sentence_spans` changes what it returns."""

# pysbd keeps "task.In this paper" (a missing space after the full stop) as one sentence.
_GLUED = re.compile(r"(?<=[a-z]{3}[.!?])(?=[A-Z][a-z])")

_SPACE_RUN = re.compile(r"\s*")


class _Segmenter(pysbd.Segmenter):  # type: ignore[misc]  # pysbd has no type information
    """pysbd's segmenter with its character spans found by ``str.find`` instead of one compiled regular
    expression per sentence (the same spans: the first occurrence that ends past the previous sentence,
    trailing white space included). On a full paper that regex compiling was 70% of preparing it."""

    def sentences_with_char_spans(self, sentences: list[str]) -> list[Any]:
        text: str = self.original_text
        spans: list[Any] = []
        prior_end = 0
        for sent in sentences:
            if not sent:
                spans.extend(super().sentences_with_char_spans([sent]))
                continue
            at = text.find(sent)
            while at >= 0:
                end = _SPACE_RUN.match(text, at + len(sent)).end()  # type: ignore[union-attr]
                if end > prior_end:
                    spans.append(TextSpan(text[at:end], at, end))
                    prior_end = end
                    break
                at = text.find(sent, at + 1)
        return spans


_SEGMENTER = _Segmenter(language="en", clean=False)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans ``(start, end)`` of the sentences of ``text`` (pysbd, plus glued full stops).

    Example: ``sentence_spans("We see gains. MNLI helps.")`` is ``[(0, 13), (14, 25)]``.
    """
    spans: list[tuple[int, int]] = []
    pos = 0
    for piece in _SEGMENTER.segment(text):
        body = piece.strip()
        if not body:
            continue
        start = text.find(body, pos)
        if start < 0:  # pysbd altered the text; fall back to its own length
            start = pos
        end = start + len(body)
        cut = start
        for m in _GLUED.finditer(text, start, end):
            spans.append((cut, m.start()))
            cut = m.start()
        spans.append((cut, end))
        pos = end
    return [(s, e) for s, e in spans if text[s:e].strip()]


def split_texts(texts: Sequence[str]) -> list[list[tuple[int, int]]]:
    """`sentence_spans` of each of ``texts``, in order (a function of the module: worker pools map it).

    Example: ``split_texts(["One. Two.", "Three."])`` is ``[[(0, 4), (5, 9)], [(0, 6)]]``.
    """
    return [sentence_spans(t) for t in texts]


def spans_digest(text: str) -> str:
    """The key under which ``text``'s sentence spans are kept: a digest of `SPLITTER` and the text, so that
    spans are never reused for another text, nor after the splitter changed.

    Example: ``spans_digest("One. Two.") != spans_digest("One. Two!")``
    """
    return hashlib.blake2b(f"{SPLITTER}\0{text}".encode(), digest_size=16).hexdigest()
