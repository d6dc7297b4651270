"""Match claims against the title and abstract of the papers they cite.

```python
from claimcheck._match import Matcher, Source
m = Matcher(scorer="lexical")
p = m.prepare(Source(id="2005.13013", title="...", text="<abstract>"))
r = m.match("We obtain a 5.4 point improvement over XLM-R Large.", [p])   # MatchResult
```
"""

from __future__ import annotations

from ._features import LEXICAL_FEATURES, FeatureExtractor, PreparedSource, Source, Unit
from ._matcher import Matcher, available_scorers, register_scorer
from ._model import Model, load_model

__all__ = [
    "LEXICAL_FEATURES",
    "FeatureExtractor",
    "Matcher",
    "Model",
    "PreparedSource",
    "Source",
    "Unit",
    "available_scorers",
    "load_model",
    "register_scorer",
]
