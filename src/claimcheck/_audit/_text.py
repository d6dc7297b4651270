"""Text normalisation and light term matching shared by the audit checks."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = [
    "STOPWORDS",
    "content_terms",
    "normalise_claim",
    "normalise_prose",
    "quote",
    "stem",
    "terms_match",
    "words",
]

# arXiv stores abstracts as TeX source: "---" is an em dash, "--" an en dash, ``...'' are quotes.
_TEX_REPLACEMENTS = (("---", "—"), ("--", "–"), ("``", "“"), ("''", "”"))
_TEX_COMMAND = re.compile(r"\\(?:emph|textit|textbf|texttt|mathrm|text)\{([^{}]*)\}")
_TEX_CITE = re.compile(r"\s*\\cite[a-z]*\{[^{}]*\}")
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
_PUNCT = re.compile(r"[^\w\s]")


def words(text: str) -> frozenset[str]:
    """The whitespace-separated words of ``text``: word lists are kept readable as blocks of text.

    Example: ``words("a b")`` is ``frozenset({"a", "b"})``.
    """
    return frozenset(text.split())


STOPWORDS = words(
    """
    a about above after again against all also am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have
    having he her here hers him his how i if in into is it its itself just me more most my no nor not now
    of off on once only or other our ours out over own same she should so some such than that the their
    theirs them then there these they this those through to too under until up upon very via was we were
    what when where which while who whom why will with within without would you your yours whether whose
    toward towards versus vs much many little less well explicitly implicitly really actually generally
    typically often
    one two three four five six seven eight nine ten et al e g i e
    """
)


@lru_cache(maxsize=2048)
def normalise_prose(text: str) -> str:
    """Normalise abstract or report prose for verbatim comparison: TeX dashes, quotes, commands, whitespace.

    Parameters: ``text``, raw text (an arXiv abstract keeps its TeX; a report has typographic characters).

    Example: ``normalise_prose("training---fine-tuning")`` is ``"training—fine-tuning"``.
    """
    text = unicodedata.normalize("NFKC", text)
    if "\\" in text:  # (both patterns start with one)
        text = _TEX_CITE.sub("", text)
        text = _TEX_COMMAND.sub(r"\1", text)
    for tex, char in _TEX_REPLACEMENTS:
        text = text.replace(tex, char)
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return " ".join(text.split())  # (str.split's whitespace is the regex's \s)


@lru_cache(maxsize=4096)  # a claim is keyed for the batch audit and for the report's duplicates
def normalise_claim(text: str) -> str:
    """Normalise a claim for exact comparison across reports: case, punctuation and spacing do not count.

    Example: ``normalise_claim("XNLI does not  benefit.")`` is ``"xnli does not benefit"``.
    """
    text = normalise_prose(text).casefold()
    return " ".join(_PUNCT.sub(" ", text).split())


_SUFFIXES = (
    "izations", "isations", "ization", "isation", "ations", "ation", "nesses", "ness", "ments", "ment",
    "ities", "ity", "ings", "ing", "ically", "ally", "edly", "ies", "ied", "ed", "es", "s", "ly",
)  # fmt: skip


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light suffix-stripping stem: enough to match "robustness" with "robust", "scaling" with "scale".

    Example: ``stem("perturbations")`` is ``"perturb"``.
    """
    word = word.casefold()
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    if len(word) > 4 and word.endswith("e"):
        word = word[:-1]
    return word


def terms_match(a: str, b: str) -> bool:
    """Whether two stems name the same term: equal, or sharing most of the shorter one as a prefix.

    Example: ``terms_match("stabil", "stabl")`` is True; ``terms_match("transfer", "transform")`` is False.
    """
    if a == b:
        return True
    shorter = min(len(a), len(b))
    common = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        common += 1
    if shorter == 3:
        # "tun" (tuning) and "tune": a three-letter stem matches only itself plus one letter
        return common == 3 and abs(len(a) - len(b)) == 1
    return shorter >= 4 and common >= 4 and common >= 0.8 * shorter


def content_terms(text: str) -> list[str]:
    """The content words of ``text`` in order (lower case, no stop words, no numbers, at least 2 letters).

    Hyphenated words count as their parts: "zero-shot" gives "zero" and "shot".

    Example: ``content_terms("Does adversarial fine-tuning help?")`` is
    ``["adversarial", "fine", "tuning", "help"]``.
    """
    words = (w.casefold() for w in _WORD.findall(normalise_prose(text)))
    return [w for w in words if len(w) >= 2 and w not in STOPWORDS]


def quote(text: str, width: int = 60) -> str:
    """Shorten ``text`` for a message, keeping its start: ``"Intermediate-task training on…"``.

    Example: ``quote("a" * 100, width=10)`` is ``'"aaaaaaaaa…"'``.
    """
    text = " ".join(text.split())
    if len(text) > width:
        text = text[: width - 1].rstrip() + "…"
    return f'"{text}"'
