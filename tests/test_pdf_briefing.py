"""The PDF read back through pdftotext and pypdf: status and headline figures equal briefing.json's."""

from __future__ import annotations

import json
import math
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import REPORT_DAY
from pypdf import PdfReader

pytestmark = pytest.mark.skipif(subprocess.run(["which", "pdftotext"], capture_output=True).returncode != 0,
                                reason="pdftotext (poppler-utils) is not installed")

# The title each chart draws (inside the vector SVG) and the start of the caption printed under it.
CHART_TITLES = {
    "Margin ratio as the market falls": "Margin ratio after each market drop",
    "Stress ladder: cash needed vs. defense": "Cash needed at each drop",
    "Allocation by security": "Portfolio value by security",
    "Dividend snowball": "Projected after-tax dividends",
    "Net worth history": "Net worth at each briefing",
}


def _pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True, text=True).stdout
    return text.split("\f")[:-1]  # pdftotext ends every page with a form feed


def _yen(value: float) -> str:
    return f"¥{round(value):,}"


def _signed_yen(value: float) -> str:
    return ("+" if value > 0 else "−" if value < 0 else "±") + f"¥{abs(round(value)):,}"


def _pct(value: float, digits: int = 1) -> str:
    return f"{value * 100:.{digits}f} %"


def _pct_down(value: float, digits: int = 1) -> str:
    """Survival figures are rounded toward zero, never up."""
    return f"{math.floor(value * 10 ** (digits + 2)) / 10 ** digits:.{digits}f} %"


@pytest.fixture(scope="module")
def pdf_read(briefing_site: dict[str, Any]) -> tuple[Path, list[str], dict[str, Any]]:
    day = briefing_site["site"] / REPORT_DAY
    doc = json.loads((day / "briefing.json").read_text("utf-8"))
    return day / "briefing.pdf", _pages(day / "briefing.pdf"), doc


def test_status_date_and_headline_figures_match_the_json(pdf_read: tuple[Path, list[str], dict[str, Any]]) -> None:
    _, pages, doc = pdf_read
    first = re.sub(r"[ \t]+", " ", pages[0])
    assert doc["status"] in first.split("\n")[0] or doc["status"] in first[:200]
    assert doc["as_of"] in first
    expected = [
        _yen(doc["portfolio"]["value"]),
        _pct(doc["margin"]["ratio"]),
        _signed_yen(doc["cashflow"]["monthly"]),
        _pct(doc["fire"]["ratio"], 0),
        _pct_down(doc["stress"]["max_survivable_drawdown"]),
        f"forced liquidation begins at a {_pct_down(doc['stress']['forced_liquidation_drawdown'])} fall",
        f"survives a fall of up to {_pct_down(doc['stress']['max_survivable_drawdown'])}",
    ]
    for figure in expected:
        assert figure in first, figure
    everything = "\n".join(pages)
    assert _yen(doc["balance_sheet"]["net_worth"]) in everything
    if doc["montecarlo"]["ran"]:
        assert _pct(doc["montecarlo"]["success_probability"]) in everything


def test_every_ladder_row_is_printed_with_its_verdict(pdf_read: tuple[Path, list[str], dict[str, Any]]) -> None:
    _, pages, doc = pdf_read
    # pdftotext's spacing inside a table cell varies ("5 %" may come out as "5%"): compare without blanks.
    lines = [re.sub(r"\s+", "", line) for line in "\n".join(pages).splitlines()]
    for step in doc["stress"]["ladder"]:
        start = f"{step['drawdown'] * 100:.0f}%{step['ratio'] * 100:.1f}%"
        row = [line for line in lines if line.startswith(start)]
        assert len(row) == 1, start
        assert row[0].endswith("yes" if step["survives"] else "no"), row[0]
        assert _yen(step["repay_to_avoid_liquidation"]) in row[0]


def test_a4_two_to_five_pages_numbered(pdf_read: tuple[Path, list[str], dict[str, Any]]) -> None:
    pdf, pages, _ = pdf_read
    reader = PdfReader(pdf)
    assert 2 <= len(reader.pages) <= 5  # the household's plan over time (timeline, events) is the fifth
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert abs(width - 595.28) < 1 and abs(height - 841.89) < 1  # A4 in points
    for number, text in enumerate(pages, start=1):
        assert re.search(rf"\b{number}\s*/\s*{len(pages)}\b", text), number


def test_charts_are_vector_and_never_split(pdf_read: tuple[Path, list[str], dict[str, Any]]) -> None:
    pdf, pages, _ = pdf_read
    for title, caption in CHART_TITLES.items():
        holding = [i for i, text in enumerate(pages) if title in text]
        assert holding, title
        assert caption in pages[holding[0]], f"{title!r} and its caption are on different pages"
    for page in PdfReader(pdf).pages:  # no raster images: charts are drawn as vector paths and text
        assert not page.images


def test_text_and_chart_labels_are_embedded_in_the_two_print_fonts(
        pdf_read: tuple[Path, list[str], dict[str, Any]]) -> None:
    """Latin in Liberation Sans and Japanese in Noto Sans CJK JP, page and charts alike, and no other face: the
    fonts vl-convert measured the chart labels in are the ones the PDF draws them with."""
    pdf, _, _ = pdf_read
    listing = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    faces = {line.split()[0].split("+")[-1] for line in listing.splitlines()[2:]}
    assert faces == {"Liberation-Sans", "Liberation-Sans-Bold", "Noto-Sans-CJK-JP", "Noto-Sans-CJK-JP-Bold"}


def test_hostile_text_is_printed_as_text(pdf_read: tuple[Path, list[str], dict[str, Any]]) -> None:
    pdf, pages, _ = pdf_read
    # pdftotext may break a long table cell over two lines; join them back before looking.
    text = re.sub(r"\s+", " ", "\n".join(pages))
    for prefix in ("", "cash ", "asset ", "src ", "cat "):
        assert prefix + "<script>alert(1)</script>" in text, prefix
    reader = PdfReader(pdf)
    assert "/JavaScript" not in str(reader.trailer["/Root"])
    for page in reader.pages:
        assert "/Annots" not in page, "the PDF carries no links or actions"


def test_metadata_is_dated_by_the_briefing(pdf_read: tuple[Path, list[str], dict[str, Any]]) -> None:
    pdf, _, doc = pdf_read
    meta = PdfReader(pdf).metadata
    assert meta is not None
    assert doc["as_of"] in str(meta.title)
    assert str(meta.get("/CreationDate", "")).startswith("D:" + doc["as_of"].replace("-", ""))


def test_a_right_to_left_override_in_a_name_cannot_reorder_lifealm_text(
    pdf_read: tuple[Path, list[str], dict[str, Any]], tmp_path: Path
) -> None:
    import copy

    from lifealm.render.pages import render_print
    from lifealm.render.pdf import render_pdf

    _, _, published = pdf_read
    doc = copy.deepcopy(published)
    names = ["invoice\u202egnp.exe", "line \u202b(embedded)", "plain line"]
    doc["balance_sheet"]["standby"] = [
        {"name": name, "limit": 1.0, "drawn": 0.0, "available": 1.0, "rate": 0.0} for name in names
    ]
    blank = "data:image/svg+xml;base64," + "PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciLz4="  # <svg/>
    pdf = tmp_path / "rtl.pdf"
    pdf.write_bytes(render_pdf(render_print(doc, dict.fromkeys(("margin-curve", "stress-ladder", "allocation",
                                                                 "dividends", "net-worth-history", "margin-history",
                                                                 "montecarlo-fan", "montecarlo-failures"), blank))))
    text = "\n".join(_pages(pdf))
    assert text.count("(standby, undrawn)") == len(names)
