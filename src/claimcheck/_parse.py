"""Parse a synthesis report (markdown or plain text) into a typed `Report`.

The report family (see ``reports/``): a title, an abstract, an introduction stating the research question,
methodology and results stating "N papers retrieved; M claims extracted; K independently verified", a claims
table ``claim <TAB> ✓|× <TAB> confidence`` (or the same as a markdown pipe table) and a reference list of arXiv
links. Headings may be markdown (``## 5 Extracted Claims``) or plain lines (``5 Extracted Claims``), numbered or not.

A claims row that cannot be read (wrong number of cells, an empty claim, a flag or confidence that cannot be
read) does not reject the report: every such row becomes an error finding ``malformed_claim_row`` with its
line, the good rows are parsed (and verified) as usual, and `row_errors` lists the bad rows as input errors,
which the CLI reports one by one and which make its exit code 2. So one run names every bad row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ._defaults import DEFAULT_MAX_REPORT_BYTES
from ._errors import ReportParseError
from ._ids import find_arxiv_id
from ._models import (
    Claim,
    Finding,
    InputErrorRecord,
    Reference,
    Report,
    Reported,
    StatedFigures,
    TableFormat,
    UrlKind,
)
from ._truncation import looks_truncated

__all__ = [
    "DEFAULT_MAX_BYTES",
    "MALFORMED_ROW",
    "decode_report",
    "parse_report",
    "parse_report_file",
    "row_errors",
]

MALFORMED_ROW = "malformed_claim_row"
"""The finding code of a claims row that could not be read (an input error: exit 2)."""

DEFAULT_MAX_BYTES = DEFAULT_MAX_REPORT_BYTES

_SECTION_NAMES: dict[str, tuple[str, ...]] = {
    "abstract": ("abstract", "summary"),
    "introduction": ("introduction", "overview", "background"),
    "methodology": ("methodology", "methods", "method"),
    "results": ("results", "findings"),
    "limitations": ("limitations",),
    "claims": ("extracted claims", "claims", "claims extracted", "extracted claim"),
    "references": ("references", "bibliography", "sources", "cited papers", "works cited"),
}
_SECTION_BY_NAME = {name: key for key, names in _SECTION_NAMES.items() for name in names}
_NUMBER_PREFIX = re.compile(r"^(?:\d+(?:\.\d+)*\.?|[IVX]+\.)\s+")
_MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_DATE = re.compile(
    r"^(?:(?:January|February|March|April|May|June|July|August|September|October|November|December)"
    r"\s+\d{1,2},\s+\d{4}|\d{4}-\d{2}-\d{2}|\d{1,2}\s+(?:January|February|March|April|May|June|July|August|"
    r"September|October|November|December)\s+\d{4})$"
)
_TRUE = frozenset({"✓", "✔", "✅", "☑", "☑️", "✔️", "yes", "y", "true", "t", "1", "verified", "supported"})
_FALSE = frozenset(
    {"×", "✗", "✘", "❌", "✕", "x", "no", "n", "false", "f", "0", "unverified", "unsupported", "-"}
)
_PIPE_SEPARATOR = re.compile(r"^\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?$")
_LIST_MARKER = re.compile(r"^\s*(?:[-*+•]|\d+[.)]|\[\d+\])\s+")
_INT = r"(\d{1,3}(?:,\d{3})+|\d+)"
_STATED_PATTERNS = {
    "papers_retrieved": re.compile(
        rf"\b{_INT}\s+(?:papers?|sources?|documents?|articles?)\s+retrieved\b", re.I
    ),
    "claims_extracted": re.compile(rf"\b{_INT}\s+claims?\s+extracted\b", re.I),
    "claims_verified": re.compile(rf"\b{_INT}\s+(?:claims?\s+)?(?:independently\s+)?verified\b", re.I),
}
_PAPERS_YIELDED = re.compile(rf"\byielded\s+{_INT}\s+(?:papers?|sources?|documents?|articles?)\b", re.I)
_QUALITY = re.compile(
    r"\bquality(?:\s+review)?\s+score(?:\s+of)?\s*:?\s*(\d+(?:\.\d+)?)\s*(?:/\s*(\d+))?", re.I
)
_RESEARCH_Q = re.compile(r"\bresearch question\s*:\s*(.+)$", re.I)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass
class _Line:
    number: int
    text: str


@dataclass
class _Section:
    key: str | None
    heading: str
    line: int
    body: list[_Line]


def decode_report(data: bytes, *, source: str = "<string>") -> tuple[str, str, list[Finding]]:
    """Decode report bytes: UTF-8 (with or without BOM), else a lenient latin-1 read that is reported.

    Returns ``(text, encoding, findings)``. Raises `ReportParseError` for empty or binary input.

    Example: ``text, enc, notes = decode_report(Path("r.txt").read_bytes(), source="r.txt")``
    """
    if not data.strip():
        raise ReportParseError("the file is empty", path=source)
    if b"\x00" in data[:8192]:
        raise ReportParseError("this is a binary file, not a report (it contains NUL bytes)", path=source)
    findings: list[Finding] = []
    try:
        text = data.decode("utf-8-sig")
        encoding = "utf-8"
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        text = data.decode("cp1252", errors="replace") if _looks_cp1252(data) else data.decode("latin-1")
        encoding = "cp1252" if _looks_cp1252(data) else "latin-1"
        findings.append(
            Finding(
                code="lenient_decode",
                severity="warning",
                message=f"not valid UTF-8 (byte {exc.start}); read as {encoding}, some characters may be wrong",
                line=line,
                path=source,
            )
        )
    return text, encoding, findings


def _looks_cp1252(data: bytes) -> bool:
    # Bytes 0x80-0x9f are C1 controls in latin-1 but punctuation (quotes, dashes) in cp1252.
    return any(0x80 <= b <= 0x9F for b in data)


def parse_report_file(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Report:
    """Read and parse the report at ``path``; refuse files over ``max_bytes``.

    Example: ``report = parse_report_file("reports/000_72ee14e1c07839b6.txt")``
    """
    source = str(path)
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > max_bytes:
            raise ReportParseError(
                f"the file is {size:,} bytes, over the size limit of {max_bytes:,} bytes (see --max-size)",
                path=source,
            )
        data = p.read_bytes()
    except FileNotFoundError as exc:
        raise ReportParseError("no such file", path=source) from exc
    except IsADirectoryError as exc:
        raise ReportParseError("is a directory", path=source) from exc
    except OSError as exc:
        raise ReportParseError(f"cannot read: {exc.strerror or exc}", path=source) from exc
    text, encoding, findings = decode_report(data, source=source)
    report = parse_report(text, source=source)
    report.encoding = encoding
    report.findings[:0] = findings
    return report


def parse_report(text: str, *, source: str = "<string>") -> Report:
    """Parse report ``text`` into a `Report`; ``source`` names it in records and messages.

    Raises `ReportParseError` when the report cannot be used at all (empty, no claims section). A claims row
    that cannot be read (wrong number of cells, a flag or confidence that cannot be read) is left out and
    recorded as an error finding ``malformed_claim_row`` with its line: see `row_errors`.

    Example: ``parse_report(Path("r.md").read_text(), source="r.md").claims[0].text``
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise ReportParseError("the report is empty", path=source)
    lines = [_Line(i + 1, raw) for i, raw in enumerate(re.split(r"\r\n|\r|\n", text))]
    markdown = any(_MD_HEADING.match(ln.text) for ln in lines)
    preamble, sections = _split_sections(lines, markdown=markdown)

    report = Report(path=source, format="markdown" if markdown else "text")
    _parse_front_matter(report, preamble, sections, markdown=markdown)

    by_key: dict[str, _Section] = {}
    for section in sections:
        if section.key is not None and section.key not in by_key:
            by_key[section.key] = section

    if "abstract" in by_key:
        report.abstract, report.abstract_line = _paragraph(by_key["abstract"].body)
    intro = by_key.get("introduction")
    for ln in intro.body if intro else [ln for s in sections for ln in s.body]:
        m = _RESEARCH_Q.search(ln.text)
        if m:
            question = m.group(1).strip()
            # "…within the XTREME benchmark?." — the generator appends a full stop after the question mark.
            report.research_question = re.sub(r"\?\s*\.$", "?", question)
            report.research_question_line = ln.number
            break
    report.stated = _parse_stated(by_key, sections)

    claims_section = by_key.get("claims")
    if claims_section is None:
        raise ReportParseError(
            "no claims section found (expected a heading such as '## 5 Extracted Claims' followed by a "
            "'Claim<TAB>Verified<TAB>Confidence' table)",
            path=source,
        )
    report.claims_line = claims_section.line
    report.claims, report.table_format, bad_rows = _parse_claims(claims_section, source)
    report.findings.extend(bad_rows)
    if not report.claims:
        report.findings.append(
            Finding(
                code="no_claims",
                severity="warning",
                message="the claims section has no claim rows",
                line=claims_section.line,
                path=source,
            )
        )
    if "references" in by_key:
        report.references = _parse_references(by_key["references"].body)
    return report


def _heading_key(title: str) -> str | None:
    name = _NUMBER_PREFIX.sub("", title.strip()).strip().rstrip(":").strip().lower()
    return _SECTION_BY_NAME.get(name)


def _split_sections(lines: list[_Line], *, markdown: bool) -> tuple[list[_Line], list[_Section]]:
    preamble: list[_Line] = []
    sections: list[_Section] = []
    for i, ln in enumerate(lines):
        heading: str | None = None
        m = _MD_HEADING.match(ln.text)
        if m and len(m.group(1)) >= 2:
            heading = m.group(2)
        elif m is None or len(m.group(1)) != 1:
            stripped = ln.text.strip()
            # A plain-text heading: a known section name alone on its line, blank (or nothing) before it.
            prev_blank = i == 0 or not lines[i - 1].text.strip()
            if stripped and prev_blank and len(stripped) < 60 and _heading_key(stripped) is not None:
                heading = stripped
        if heading is not None:
            sections.append(_Section(_heading_key(heading), heading.strip(), ln.number, []))
        elif sections:
            sections[-1].body.append(ln)
        else:
            preamble.append(ln)
    return preamble, sections


def _parse_front_matter(
    report: Report, preamble: list[_Line], sections: list[_Section], *, markdown: bool
) -> None:
    for ln in preamble:
        m = _MD_HEADING.match(ln.text)
        if m and len(m.group(1)) == 1:
            report.title, report.title_line = m.group(2).strip(), ln.number
            break
    content = [ln for ln in preamble if ln.text.strip() and not _MD_HEADING.match(ln.text)]
    if report.title is None and content:
        report.title, report.title_line = content[0].text.strip(), content[0].number
    for ln in content:
        if _DATE.match(ln.text.strip()):
            report.date = ln.text.strip()
            break


def _paragraph(body: list[_Line]) -> tuple[str | None, int | None]:
    parts = [ln for ln in body if ln.text.strip()]
    if not parts:
        return None, None
    return " ".join(ln.text.strip() for ln in parts), parts[0].number


def _to_int(text: str) -> int:
    return int(text.replace(",", ""))


def _parse_stated(by_key: dict[str, _Section], sections: list[_Section]) -> StatedFigures:
    stated = StatedFigures()
    # The Results section states the figures; fall back to anywhere in the report.
    ordered = [by_key["results"]] if "results" in by_key else []
    ordered += [s for s in sections if s is not by_key.get("results") and s.key != "claims"]
    for field, pattern in _STATED_PATTERNS.items():
        for section in ordered:
            hit = next(((ln, m) for ln in section.body if (m := pattern.search(ln.text))), None)
            if hit is not None:
                setattr(stated, field, _to_int(hit[1].group(1)))
                setattr(stated, f"{field}_line", hit[0].number)
                break
    if stated.papers_retrieved is None:
        for section in ordered:
            hit = next(((ln, m) for ln in section.body if (m := _PAPERS_YIELDED.search(ln.text))), None)
            if hit is not None:
                stated.papers_retrieved = _to_int(hit[1].group(1))
                stated.papers_retrieved_line = hit[0].number
                break
    for section in ordered:
        hit = next(((ln, m) for ln in section.body if (m := _QUALITY.search(ln.text))), None)
        if hit is not None:
            value = float(hit[1].group(1))
            scale = float(hit[1].group(2)) if hit[1].group(2) else 10.0
            # Stated as "9.3/10" (or out of another scale): kept on a 0-10 scale.
            stated.quality_score = round(value * 10.0 / scale, 3) if scale else None
            break
    return stated


def _split_pipe_row(text: str) -> list[str]:
    row = text.strip()
    if row.startswith("|"):
        row = row[1:]
    if row.endswith("|") and not row.endswith("\\|"):
        row = row[:-1]
    cells = re.split(r"(?<!\\)\|", row)
    return [c.strip().replace("\\|", "|") for c in cells]


def _header_columns(cells: list[str]) -> dict[str, int] | None:
    lowered = [c.strip().strip("*_ ").lower() for c in cells]
    if any(len(name) > 40 or (name in _TRUE | _FALSE and not name.isalpha()) for name in lowered):
        return None  # a data row (a long claim, a ✓ or a number), not a header
    columns: dict[str, int] = {}
    for i, name in enumerate(lowered):
        if "claim" in name and "claim" not in columns:
            columns["claim"] = i
        elif ("verif" in name or name in {"status", "supported"}) and "verified" not in columns:
            columns["verified"] = i
        elif ("conf" in name or name in {"score", "p"}) and "confidence" not in columns:
            columns["confidence"] = i
    return columns if {"claim", "verified"} <= columns.keys() else None


def row_errors(report: Report) -> list[InputErrorRecord]:
    """The claims rows of ``report`` that could not be read, as input errors (path, line, message).

    Example: ``[e.line for e in row_errors(parse_report(text, source="r.md"))]``
    """
    return [
        InputErrorRecord(path=f.path or report.path, message=f.message, line=f.line)
        for f in report.findings
        if f.code == MALFORMED_ROW
    ]


def _parse_claims(section: _Section, source: str) -> tuple[list[Claim], TableFormat | None, list[Finding]]:
    rows = [ln for ln in section.body if ln.text.strip()]
    if not rows:
        return [], None, []
    bad: list[Finding] = []
    table_format: TableFormat = "pipe" if rows[0].text.lstrip().startswith("|") else "tsv"
    columns = {"claim": 0, "verified": 1, "confidence": 2}
    claims: list[Claim] = []
    expected = 3
    for position, ln in enumerate(rows):
        if table_format == "pipe":
            if _PIPE_SEPARATOR.match(ln.text.strip()):
                continue
            cells = _split_pipe_row(ln.text)
        else:
            cells = [c.strip() for c in ln.text.split("\t")]
            while len(cells) > 1 and cells[-1] == "" and len(cells) > expected:
                cells.pop()
        if position == 0:
            header = _header_columns(cells)
            if header is not None:
                columns = header
                expected = len(cells)
                continue
        try:
            if len(cells) != expected:
                what = "tab-separated" if table_format == "tsv" else "pipe-separated"
                raise ReportParseError(
                    f"claims row has {len(cells)} {what} cell{'s' if len(cells) != 1 else ''}, expected "
                    f"{expected} (claim, verified, confidence)",
                    path=source,
                    line=ln.number,
                )
            text = _CONTROL.sub("", cells[columns["claim"]]).strip()
            if not text:
                raise ReportParseError("claims row has an empty claim", path=source, line=ln.number)
            verified = _parse_flag(cells[columns["verified"]], source, ln.number)
            confidence = (
                _parse_confidence(cells[columns["confidence"]], source, ln.number)
                if "confidence" in columns
                else None
            )
        except ReportParseError as exc:
            bad.append(
                Finding(
                    code=MALFORMED_ROW, severity="error", message=exc.message, line=ln.number, path=source
                )
            )
            continue
        claims.append(
            Claim(
                index=len(claims) + 1,
                line=ln.number,
                text=text,
                truncated=looks_truncated(text),
                reported=Reported(verified=verified, confidence=confidence),
            )
        )
    return claims, table_format, bad


def _parse_flag(cell: str, source: str, line: int) -> bool:
    value = cell.strip().strip("*_`").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ReportParseError(
        f"cannot read the verified flag {cell.strip()!r} (expected ✓/×, yes/no or true/false)",
        path=source,
        line=line,
    )


def _parse_confidence(cell: str, source: str, line: int) -> float | None:
    value = cell.strip().strip("*_`").strip()
    if value in {"", "-", "—", "n/a", "N/A"}:
        return None
    try:
        number = float(value[:-1]) / 100.0 if value.endswith("%") else float(value)
    except ValueError:
        number = float("nan")
    if not 0.0 <= number <= 1.0:
        raise ReportParseError(f"confidence {value!r} is not a number in [0, 1]", path=source, line=line)
    return number


def _reference_items(body: list[_Line]) -> list[tuple[int, str]]:
    items: list[tuple[int, str]] = []
    has_markers = any(_LIST_MARKER.match(ln.text) for ln in body)
    for ln in body:
        stripped = ln.text.strip()
        if not stripped:
            continue
        if not has_markers or _LIST_MARKER.match(ln.text) or not items:
            items.append((ln.number, _LIST_MARKER.sub("", stripped, count=1)))
        else:
            number, previous = items[-1]
            items[-1] = (number, f"{previous} {stripped}")
    return items


def _url_kind(raw: str) -> UrlKind:
    lowered = raw.lower()
    if "arxiv.org/abs/" in lowered:
        return "abs"
    if "arxiv.org/pdf/" in lowered:
        return "pdf"
    if re.search(r"\barxiv:\s*", lowered):
        return "arxiv_prefix"
    if "doi.org/" in lowered and "arxiv" in lowered:
        return "doi"
    if "://" not in lowered:
        return "bare"
    return "other"


def _parse_references(body: list[_Line]) -> list[Reference]:
    references = []
    for number, raw in _reference_items(body):
        text = raw
        # arXiv DOIs spell the id as 10.48550/arXiv.2005.13013
        found = find_arxiv_id(re.sub(r"(?i)10\.48550/arxiv\.", " ", text))
        if found is None:
            references.append(Reference(raw=raw, line=number, url_kind="other", status="malformed"))
            continue
        references.append(
            Reference(raw=raw, line=number, arxiv_id=found.id, version=found.version, url_kind=_url_kind(raw))
        )
    return references
