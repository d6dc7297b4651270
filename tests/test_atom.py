"""The Atom reader: every recorded API sample, both formats, error entries, hostile XML, fuzzing."""

from __future__ import annotations

import contextlib
from pathlib import Path

import feedparser
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claimcheck._errors import ClaimcheckError, SourceUnavailable
from claimcheck._sources._atom import paper_to_atom, parse_atom

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "arxiv"
SAMPLES = FIXTURES / "api_samples"


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def test_versioned_id_paper_titled_zero() -> None:
    feed = parse_atom(sample("arxivpy_versioned_id_2104.12255v1.xml"))
    (paper,) = feed.papers
    assert (paper.arxiv_id, paper.version, paper.title) == ("2104.12255", 1, "0")
    assert paper.primary_category == "cs.CR"
    assert feed.total_results == 1


def test_unversioned_request_returns_versioned_entry_id() -> None:
    (paper,) = parse_atom(sample("arxivpy_unversioned_id_1605.08386.xml")).papers
    assert (paper.arxiv_id, paper.version) == ("1605.08386", 1)
    assert paper.categories == ["math.CO", "math.ST"]
    assert paper.comment == "20 pages, 3 figures"


def test_error_entry_is_not_a_paper() -> None:
    feed = parse_atom(sample("arxivpy_malformed_id_abc_HTTP400.xml"))
    assert feed.papers == []
    assert feed.total_results == 1
    (error,) = feed.errors
    assert error.bad_id == "abc"
    assert error.message == "incorrect id format for abc"


def test_classic_error_entry_http_scheme() -> None:
    feed = parse_atom(sample("official_manual_error_malformed_id_1234.12345.xml"))
    assert feed.papers == []
    assert feed.errors[0].bad_id == "1234.12345"


def test_empty_feed() -> None:
    feed = parse_atom(sample("arxivpy_nonexistent_id_0000.0000_empty_feed.xml"))
    assert (feed.papers, feed.errors, feed.total_results) == ([], [], 0)


def test_oldstyle_id_with_journal_ref_and_leading_spaces() -> None:
    (paper,) = parse_atom(sample("arxivpy_oldstyle_id_astro-ph_0601001_journal_ref_affiliation.xml")).papers
    assert (paper.arxiv_id, paper.version) == ("astro-ph/0601001", 1)
    assert paper.journal_ref == "ActaAstron.56:1-50,2006"
    assert paper.abstract is not None
    assert paper.abstract.startswith("We derive")
    assert "V_max<17.5" in paper.abstract
    assert paper.authors[0] == "Andrew Gould"


def test_mixed_list_utf8_author() -> None:
    feed = parse_atom(sample("arxivpy_two_ids_one_missing_0808.05394_1707.08567.xml"))
    assert [p.arxiv_id for p in feed.papers] == ["1707.08567"]
    assert "Dirk Wübben" in feed.papers[0].authors


def test_classic_hard_wrapped_summary_is_normalised() -> None:
    (paper,) = parse_atom(sample("classic_2022_id_list_2101.05225_printed_in_R_book.xml")).papers
    assert paper.abstract is not None
    assert "\n" not in paper.abstract
    assert "  " not in paper.abstract
    assert paper.abstract.startswith(
        "In this paper, we introduce a reproducible cleaning process for the text extracted"
    )
    assert paper.primary_category == "cs.CL"


def test_classic_wrapped_title_and_unversioned_entry_id() -> None:
    (paper,) = parse_atom(sample("official_manual_typical_response_all_electron.xml")).papers
    assert paper.title == "Multi-Electron Production at High Transverse Momenta in ep Collisions at HERA"
    assert (paper.arxiv_id, paper.version) == ("hep-ex/0307015", None)
    assert paper.journal_ref == "Eur.Phys.J. C31 (2003) 17-29"


def test_doi_after_authors() -> None:
    feed = parse_atom(sample("arxivpy_search_testing_page1_start0_max10_has_doi.xml"))
    assert len(feed.papers) == 10
    with_doi = [p for p in feed.papers if p.doi]
    assert with_doi[0].doi == "10.1109/ICSTW55395.2022.00035"


def test_namespace_prefix_does_not_matter() -> None:
    body = sample("arxivpy_oldstyle_id_astro-ph_0601001_journal_ref_affiliation.xml")
    renamed = (
        body.replace(b"xmlns:arxiv=", b"xmlns:ax=")
        .replace(b"<arxiv:", b"<ax:")
        .replace(b"</arxiv:", b"</ax:")
    )
    (paper,) = parse_atom(renamed).papers
    assert paper.journal_ref == "ActaAstron.56:1-50,2006"
    assert paper.primary_category == "astro-ph"


def test_tex_dashes_kept() -> None:
    (paper,) = parse_atom((FIXTURES / "2005.13013v2.xml").read_bytes()).papers
    assert paper.abstract is not None
    assert "training---fine-tuning" in paper.abstract


def test_missing_updated_stays_missing() -> None:
    (paper,) = parse_atom((FIXTURES / "2005.13013v2.xml").read_bytes()).papers
    assert paper.updated is None
    assert paper.published == "2020-05-26"


def test_write_then_read_round_trip() -> None:
    (paper,) = parse_atom(sample("arxivpy_oldstyle_id_astro-ph_0601001_journal_ref_affiliation.xml")).papers
    (again,) = parse_atom(paper_to_atom(paper, feed_updated="2026-01-01T00:00:00Z")).papers
    assert again.model_dump(exclude={"source"}) == paper.model_dump(exclude={"source"})


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE feed [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>http://arxiv.org/abs/2005.13013v2</id>
<title>&lol3;</title><summary>&lol;</summary></entry></feed>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE feed [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>http://arxiv.org/abs/2005.13013v2</id>
<title>&xxe;</title></entry></feed>"""


@pytest.mark.parametrize("body", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["billion-laughs", "external-entity"])
def test_entity_declarations_refused(body: bytes) -> None:
    with pytest.raises(SourceUnavailable, match="refused"):
        parse_atom(body)


def test_feedparser_alone_keeps_simple_entities() -> None:
    # Why the defused pre-check exists: feedparser keeps "safe" entity declarations and expands them.
    parsed = feedparser.parse(BILLION_LAUGHS)
    assert "lol" in parsed.entries[0].get("summary", "")


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"<html><body>503 Service Unavailable</body></html>",
        sample("arxivpy_unversioned_id_1605.08386.xml")[:700],
        "<feed xmlns='http://www.w3.org/2005/Atom'><title>é</title></feed>".encode("latin-1"),
    ],
    ids=["empty", "html", "truncated", "latin-1"],
)
def test_unusable_bodies_are_unavailable(body: bytes) -> None:
    with pytest.raises(SourceUnavailable):
        parse_atom(body)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_fuzz_arbitrary_bytes(body: bytes) -> None:
    with contextlib.suppress(ClaimcheckError):
        parse_atom(body)


_REAL = [sample(p.name) for p in sorted(SAMPLES.glob("*.xml"))]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(_REAL),
    st.lists(st.tuples(st.integers(0, 30000), st.integers(0, 50), st.binary(max_size=20)), max_size=4),
)
def test_fuzz_mutated_samples(body: bytes, edits: list[tuple[int, int, bytes]]) -> None:
    data = bytearray(body)
    for at, cut, insert in edits:
        at = at % (len(data) + 1)
        data[at : at + cut] = insert
    try:
        feed = parse_atom(bytes(data))
    except ClaimcheckError:
        return
    for paper in feed.papers:
        assert paper.status == "found"
        assert paper.arxiv_id
