"""What every model scorer shares: the lexical matcher in front of the model."""

from __future__ import annotations

from ._features import PreparedSource, Source

__all__ = ["LexicalFront"]


class LexicalFront:
    """The lexical matcher in front of a model scorer: it prepares the sources, finds the candidate units (with
    offsets) and the number and negation findings; its fitted model ranks candidates.

    Parameters: ``candidates``, the lexical candidates a model reads per claim; ``cache_size``, the lexical
    matcher's memo of prepared sources.

    Example: ``class MyScorer(LexicalFront): ...``
    """

    scorer = "nli"

    def __init__(self, *, candidates: int = 3, cache_size: int = 4096) -> None:
        from ._matcher import Matcher

        self.lexical = Matcher(scorer="lexical", cache_size=cache_size)
        self.model = self.lexical.model
        self.candidates = candidates

    def prepare(self, source: Source) -> PreparedSource:
        """Analyse a source once (delegates to the lexical matcher).

        Example: ``s.prepare(Source(id="x", title="", text="One. Two."))``
        """
        return self.lexical.prepare(source)
