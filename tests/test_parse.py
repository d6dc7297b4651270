"""The report parser on the five real sample reports, equivalent rewrites of them, and bad input."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claimcheck._errors import ReportParseError
from claimcheck._parse import decode_report, parse_report, parse_report_file, row_errors

ROOT = Path(__file__).resolve().parent.parent
REPORTS = sorted((ROOT / "reports").glob("*.txt"))
FIXTURES = ROOT / "fixtures" / "reports"

# (claims, stated papers/claims/verified, references) per sample report, in file-name order.
EXPECTED = {
    "000_72ee14e1c07839b6.txt": (10, (12, 10, 10), 9.3, 8),
    "001_5e44368540e3e423.txt": (9, (10, 9, 9), 9.3, 8),
    "002_77e352ff7212c0de.txt": (20, (16, 20, 12), 7.2, 1),
    "003_38e720b96d567d4d.txt": (9, (8, 9, 9), 9.3, 8),
    "004_de5a86aa67e1ef1a.txt": (14, (13, 14, 13), 8.7, 10),
}


def _rows(path: Path) -> list[tuple[str, bool, float, int]]:
    """The claims table read independently of the parser: (text, ✓, confidence, line)."""
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1):
        cells = line.split("\t")
        if len(cells) == 3 and cells[0] != "Claim":
            rows.append((cells[0], cells[1] == "✓", float(cells[2]), number))
    return rows


@pytest.mark.parametrize("path", REPORTS, ids=lambda p: p.name)
def test_sample_reports_parse_exactly(path: Path) -> None:
    report = parse_report_file(path)
    n_claims, (papers, extracted, verified), quality, n_truncated = EXPECTED[path.name]
    assert len(report.claims) == n_claims
    assert (
        report.stated.papers_retrieved,
        report.stated.claims_extracted,
        report.stated.claims_verified,
    ) == (
        papers,
        extracted,
        verified,
    )
    assert report.stated.quality_score == quality
    assert [(c.text, c.reported.verified, c.reported.confidence, c.line) for c in report.claims] == _rows(
        path
    )
    assert [c.index for c in report.claims] == list(range(1, n_claims + 1))
    assert sum(c.truncated for c in report.claims) == n_truncated
    assert len(report.references) == 3
    assert all(r.arxiv_id and r.version for r in report.references)
    assert report.title and report.abstract and report.research_question
    assert report.research_question.endswith("?")
    assert report.date is not None and report.date.endswith("2026")


def test_sample_truncation_matches_the_cut() -> None:
    """Claims cut at the generator's ~120 characters are truncated; complete sentences are not."""
    claims = [c for p in REPORTS for c in parse_report_file(p).claims]
    truncated = [c for c in claims if c.truncated]
    assert len(truncated) == 35
    assert all(119 <= len(c.text) <= 121 for c in truncated)
    # Two claims of 121 characters are complete sentences that happen to be that long.
    complete_long = [c.text for c in claims if len(c.text) >= 119 and not c.truncated]
    assert all(t.endswith(".") for t in complete_long)
    first = parse_report_file(REPORTS[0]).claims[0]
    assert first.text.endswith("8.2, 7.5, and 7.0 point") and first.truncated
    assert not parse_report_file(REPORTS[0]).claims[1].truncated


def test_sample_reference_versions_and_lines() -> None:
    report = parse_report_file(REPORTS[0])
    assert [(r.arxiv_id, r.version, r.url_kind, r.line) for r in report.references] == [
        ("2411.15127", 3, "abs", 45),
        ("2205.14230", 2, "abs", 46),
        ("2005.13013", 2, "abs", 47),
    ]
    report = parse_report_file(REPORTS[1])
    assert report.format == "text" and report.references[2].line == 47  # blank line between items


def test_abstract_and_question_captured_when_truncated() -> None:
    report = parse_report_file(REPORTS[0])
    assert report.abstract is not None
    assert report.abstract.startswith("Intermediate-task training—fine-tuning")
    assert report.abstract.endswith("sentence retrieval tas")
    assert report.research_question is not None
    assert "adversarial perturbations" in report.research_question
    assert report.research_question_line == 15


def _comparable(path: Path) -> dict[str, object]:
    data = parse_report_file(path).model_dump(exclude={"path", "format", "table_format", "encoding"})
    for ref in data["references"]:
        del ref["raw"], ref["url_kind"], ref["line"]
    # A pipe table adds a separator row: later rows move down a line. Lines are checked elsewhere.
    for claim in data["claims"]:
        del claim["line"]
    return data


EQUIVALENTS = sorted(FIXTURES.glob("equiv-*"))


@pytest.mark.parametrize("path", EQUIVALENTS, ids=lambda p: p.name)
def test_equivalent_spellings_parse_identically(path: Path) -> None:
    original = REPORTS[0] if path.suffix == ".md" else REPORTS[1]
    assert _comparable(path) == _comparable(original)


def test_pipe_table_is_detected() -> None:
    report = parse_report_file(FIXTURES / "equiv-pipe-table.md")
    assert report.table_format == "pipe"
    assert parse_report_file(REPORTS[0]).table_format == "tsv"


def test_reference_spellings() -> None:
    report = parse_report_file(FIXTURES / "equiv-reference-spellings.md")
    assert [r.url_kind for r in report.references] == ["pdf", "abs", "arxiv_prefix"]
    assert [r.line for r in report.references] == [45, 47, 49]


def test_old_style_ids_and_non_arxiv_reference() -> None:
    report = parse_report_file(FIXTURES / "old-style-ids.md")
    assert [(r.arxiv_id, r.version) for r in report.references] == [
        ("hep-th/9901001", 2),
        ("math.GT/0309136", None),
        ("astro-ph/0601001", 1),
        (None, None),
    ]
    assert report.references[3].status == "malformed"


@pytest.mark.parametrize(
    ("name", "line", "fragment"),
    [
        ("bad-confidence.md", 32, "confidence 'high' is not a number in [0, 1]"),
        ("bad-confidence-above-one.md", 33, "confidence '1.7' is not a number in [0, 1]"),
        ("bad-row-two-cells.md", 34, "claims row has 2 tab-separated cells, expected 3"),
        ("bad-flag.md", 35, "cannot read the verified flag 'maybe'"),
    ],
)
def test_a_bad_claims_row_is_named_and_the_good_rows_kept(name: str, line: int, fragment: str) -> None:
    path = FIXTURES / name
    report = parse_report_file(path)
    errors = row_errors(report)
    assert [(e.path, e.line) for e in errors] == [(str(path), line)]
    assert fragment in errors[0].message
    bad = [f for f in report.findings if f.code == "malformed_claim_row"]
    assert [(f.severity, f.line) for f in bad] == [("error", line)]
    assert report.claims and line not in [c.line for c in report.claims]
    assert [c.index for c in report.claims] == list(range(1, len(report.claims) + 1))


def test_every_bad_claims_row_is_named_in_one_run() -> None:
    text = (FIXTURES / "bad-flag.md").read_text(encoding="utf-8")
    lines = text.splitlines()
    rows = [i for i, ln in enumerate(lines) if ln.count("\t") == 2 and not ln.startswith("Claim")]
    lines[rows[0]] = lines[rows[0]].replace("\t", " ", 1)  # two cells
    lines[rows[2]] = lines[rows[2]].rsplit("\t", 1)[0] + "\t2.5"  # confidence out of range
    report = parse_report("\n".join(lines), source="r.md")
    assert [e.line for e in row_errors(report)] == sorted(
        {rows[0] + 1, rows[2] + 1, *(e.line for e in row_errors(parse_report_file(FIXTURES / "bad-flag.md")))}
    )
    good = {c.line for c in report.claims}
    assert good.isdisjoint(e.line for e in row_errors(report))


@pytest.mark.parametrize(
    ("name", "line", "fragment"),
    [
        ("missing-claims-section.md", None, "no claims section found"),
        ("empty.md", None, "empty"),
        ("binary.txt", None, "binary file"),
    ],
)
def test_bad_input_names_file_and_line(name: str, line: int | None, fragment: str) -> None:
    path = FIXTURES / name
    with pytest.raises(ReportParseError) as info:
        parse_report_file(path)
    assert info.value.path == str(path)
    assert info.value.line == line
    assert fragment in info.value.message
    assert str(info.value).startswith(f"{path}:")


def test_latin1_file_is_read_leniently_and_says_so() -> None:
    report = parse_report_file(FIXTURES / "latin1.txt")
    assert report.encoding in {"latin-1", "cp1252"}
    assert report.findings[0].code == "lenient_decode"
    assert "Intermédiate" in report.abstract  # type: ignore[operator]
    assert len(report.claims) == 9


def test_empty_claims_table_is_a_warning_not_an_error() -> None:
    report = parse_report_file(FIXTURES / "empty-claims-table.md")
    assert report.claims == []
    assert [f.code for f in report.findings] == ["no_claims"]


def test_size_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.md"
    path.write_bytes(b"x" * 2048)
    with pytest.raises(ReportParseError, match="over the size limit of 1,024 bytes"):
        parse_report_file(path, max_bytes=1024)


def test_missing_file() -> None:
    with pytest.raises(ReportParseError, match="no such file"):
        parse_report_file(FIXTURES / "does-not-exist.md")


def test_percent_confidence_and_empty_confidence() -> None:
    text = "# T\n\n## Extracted Claims\n\nClaim\tVerified\tConfidence\nA claim.\t✓\t27%\nB claim.\t×\t\n"
    claims = parse_report(text).claims
    assert [c.reported.confidence for c in claims] == [0.27, None]


def test_table_without_header_row() -> None:
    text = "Title\n\nExtracted Claims\n\nA claim.\t✓\t0.5\n"
    report = parse_report(text)
    assert report.format == "text"
    assert report.claims[0].text == "A claim." and report.claims[0].reported.verified


def test_decode_rejects_empty_bytes() -> None:
    with pytest.raises(ReportParseError):
        decode_report(b"   \n", source="x")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_parser_raises_only_report_parse_error_on_arbitrary_text(text: str) -> None:
    with contextlib.suppress(ReportParseError):
        parse_report(text, source="fuzz.md")


_SAMPLE = REPORTS[0].read_text(encoding="utf-8")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_parser_survives_mutated_real_reports(data: st.DataObject) -> None:
    lines = _SAMPLE.split("\n")
    start = data.draw(st.integers(0, len(lines) - 1))
    stop = data.draw(st.integers(start, len(lines)))
    insert = data.draw(st.text(max_size=80))
    mutated = "\n".join([*lines[:start], insert, *lines[stop:]])
    try:
        report = parse_report(mutated, source="mutated.md")
    except ReportParseError as exc:
        assert exc.path == "mutated.md"  # noqa: PT017 -- hypothesis drives the input; raising is allowed
    else:
        assert all(c.line >= 1 and c.index >= 1 for c in report.claims)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_decoding_arbitrary_bytes_raises_only_report_parse_error(data: bytes) -> None:
    try:
        text, _, _ = decode_report(data, source="fuzz.bin")
        parse_report(text, source="fuzz.bin")
    except ReportParseError:
        pass
