"""`trusted` builds a record exactly as `BaseModel.model_construct` does, for every record of the pipeline."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, Field, PrivateAttr

import claimcheck._models as models
from claimcheck._models import Evidence, MatchResult, Recomputed, trusted

RECORDS = [getattr(models, name) for name in models.__all__ if isinstance(getattr(models, name), type)]


@pytest.mark.parametrize("cls", RECORDS, ids=lambda c: c.__name__)
def test_trusted_is_model_construct_for_every_record(cls: type[BaseModel]) -> None:
    # the values of a default record (every required field given a value of its own), then only the first given
    values = {name: f"value of {name}" for name, info in cls.model_fields.items() if info.is_required()}
    for given in (values, dict(list(values.items())[:1])):
        a, b = cls.model_construct(**given), trusted(cls, **given)
        assert type(a) is type(b)
        assert a.__dict__ == b.__dict__
        assert list(a.__dict__) == list(b.__dict__)
        assert a.model_fields_set == b.model_fields_set


def test_trusted_defaults_are_fresh_per_record() -> None:
    one = trusted(MatchResult, label="supported", verified=True, confidence=0.7)
    one.evidence.append(trusted(models.MatchEvidence, source_id="x", sentence="s", start=0, end=1, score=1.0))
    assert trusted(MatchResult, label="supported", verified=True, confidence=0.7).evidence == []
    assert trusted(Recomputed, verified=False, confidence=0.1, label="not_found").checked == "abstract"
    assert trusted(Evidence, arxiv_id="x", sentence="s", start=0, end=1, score=0.5).model_dump_json() == (
        Evidence(arxiv_id="x", sentence="s", start=0, end=1, score=0.5).model_dump_json()
    )


def test_a_model_with_aliases_or_private_state_is_left_to_model_construct() -> None:
    class Aliased(BaseModel):
        name: str = Field(alias="Name")
        items: list[int] = Field(default_factory=list)
        _seen: int = PrivateAttr(default=0)

    built = trusted(Aliased, Name="x")
    assert built.name == "x" and built.items == [] and built._seen == 0
