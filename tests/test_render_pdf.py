"""Charts drawn into the PDF after its pages are laid out (`ChartImage`) give the very bytes WeasyPrint makes when
it fetches each chart's SVG itself, before layout; and the PDF fetches nothing but data: URLs."""

from __future__ import annotations

from typing import Any

import pytest
from chart_specs import SIZES, SPECS

from lifealm.charts.svg import svg_data_url
from lifealm.errors import LifealmError
from lifealm.render.pdf import render_pdf, weasyprint
from lifealm.render.print_worker import CHART_SCHEME, chart_url

HTML = ("<!DOCTYPE html><html><head><title>t</title><style>img { width: 100%; height: auto }</style></head><body>"
        "<p>株価 &lt;b&gt;</p>"
        + "".join(f'<figure style="width: {w}%"><img src="{chart_url(c)}"></figure>'
                  for c, w in (("line", 60), ("text", 35), ("line", 90)))
        + "</body></html>")


def _fetched_by_weasyprint(svgs: dict[str, str]) -> bytes:
    """The PDF as WeasyPrint makes it alone: each chart URL fetched (as its SVG data: URL) while building boxes."""

    class Fetcher(weasyprint.URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            prefix = CHART_SCHEME + ":"
            return super().fetch(svgs[url[len(prefix):]] if url.startswith(prefix) else url, headers)

    html = weasyprint.HTML(string=HTML, base_url="about:blank", url_fetcher=Fetcher(allowed_protocols=("data",)))
    return bytes(html.write_pdf(pdf_identifier=b"lifealm-briefing"))


def test_charts_drawn_after_layout_give_the_pdf_weasyprint_makes_fetching_them_first() -> None:
    svgs = {chart_id: svg_data_url(spec) for chart_id, spec in SPECS.items()}
    asked: list[str] = []

    def source(chart_id: str) -> str:
        asked.append(chart_id)
        return svgs[chart_id]

    later = render_pdf(HTML, SIZES, source)
    assert later.startswith(b"%PDF-") and later == _fetched_by_weasyprint(svgs)
    assert asked == ["line", "text"]  # in the order drawn, each once though "line" is shown twice


def test_a_different_chart_gives_a_different_pdf() -> None:
    """The comparison above can fail: the charts' content reaches the PDF."""
    svgs = {chart_id: svg_data_url(spec) for chart_id, spec in SPECS.items()}
    swapped = {**svgs, "line": svg_data_url({**SPECS["line"], "mark": "point"})}
    assert render_pdf(HTML, SIZES, svgs.__getitem__) != render_pdf(HTML, SIZES, swapped.__getitem__)


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/x.svg", "file:///etc/passwd", "/etc/passwd"])
def test_nothing_but_data_urls_is_fetched(url: str, caplog: pytest.LogCaptureFixture) -> None:
    html = f'<!DOCTYPE html><html><head><title>t</title></head><body><img src="{url}"><p>x</p></body></html>'
    assert render_pdf(html).startswith(b"%PDF-")
    assert any("Failed to load image" in record.getMessage() for record in caplog.records)


def test_a_chart_shown_without_a_size_stops_the_pdf() -> None:
    with pytest.raises(LifealmError, match="the chart 'text', which has no size"):
        render_pdf(HTML, {"line": SIZES["line"]}, lambda chart_id: svg_data_url(SPECS[chart_id]))


def test_with_the_locked_weasyprint_the_charts_are_drawn_after_layout() -> None:
    from lifealm.render import pdf

    assert pdf.CHARTS_AFTER_LAYOUT  # the path the tests above measure is the one reports take


def test_a_weasyprint_whose_images_answer_otherwise_fetches_the_charts_first_for_the_same_pdf(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from lifealm.render import pdf

    svgs = {chart_id: svg_data_url(spec) for chart_id, spec in SPECS.items()}
    after_layout = render_pdf(HTML, SIZES, svgs.__getitem__)
    class OtherImage:  # an SVG image class whose draw takes other arguments
        def __init__(self, tree: Any, base_url: str, url_fetcher: Any, context: Any) -> None: ...
        def get_intrinsic_size(self, image_resolution: float, font_size: float) -> None: ...
        def draw(self, stream: Any) -> None: ...

    monkeypatch.setattr(pdf, "SVGImage", OtherImage)
    assert not pdf._draws_images_as_lifealm_expects()
    monkeypatch.setattr(pdf, "CHARTS_AFTER_LAYOUT", False)
    assert render_pdf(HTML, SIZES, svgs.__getitem__) == after_layout

    def broken(chart_id: str) -> str:
        raise ValueError(f"cannot draw {chart_id}")

    with pytest.raises(ValueError, match="cannot draw line"):  # its error, not a PDF without the chart
        render_pdf(HTML, SIZES, broken)
