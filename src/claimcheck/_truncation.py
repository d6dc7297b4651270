"""Is a claim cut off? Machine-generated reports cut claims at a fixed width (~120 characters), mid-word
or mid-sentence: "…large target-task improvements of 8.2, 7.5, and 7.0 point"."""

from __future__ import annotations

import re

__all__ = ["looks_truncated"]

_CLOSERS = ".!?…)]\"'”’"


def looks_truncated(text: str, *, cut_width: int | None = 120) -> bool:
    """Whether ``text`` looks cut off mid-word or mid-sentence.

    A claim that ends with sentence punctuation is complete. One that does not is truncated when it has the
    length machine reports cut at (``cut_width`` ± 2 characters) or ends with a connective that cannot end a
    sentence ("of", "and", "the", ...).

    Example: ``looks_truncated("…improvements of 8.2, 7.5, and 7.0 point")`` is True.
    """
    stripped = text.rstrip()
    if not stripped:
        return False
    if stripped[-1] in _CLOSERS:
        return False
    if cut_width is not None and abs(len(stripped) - cut_width) <= 2:
        return True
    last = re.split(r"\W+", stripped.lower())[-1] if re.search(r"\w", stripped) else ""
    if last in _DANGLING:
        return True
    return stripped[-1] in ",;:-–—(/"


_DANGLING = frozenset(
    (
        "a an the of and or but nor to in on at by for with from into onto over under as than that which who "
        "whom whose where when while whereas because although though if unless until via vs versus between "
        "among across is are was were be been being has have had do does did not no its their our your his "
        "her this these those such both either neither each every per"
    ).split()
)
