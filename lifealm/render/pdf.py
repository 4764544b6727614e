"""PDF from the print variant of the briefing with WeasyPrint; nothing is fetched beyond data: URLs and the charts
handed in by the caller."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from lifealm.errors import LifealmError
from lifealm.render.print_worker import CHART_SCHEME
from lifealm.render.weasyprint_loader import load_weasyprint

weasyprint = load_weasyprint()  # WeasyPrint ships no type hints: its names are Any here
URLFetcher: Any = weasyprint.URLFetcher
FatalURLFetchingError: Any = weasyprint.urls.FatalURLFetchingError


class _Fetcher(URLFetcher):  # type: ignore[misc]
    """data: URLs only, and the charts: `lifealm-chart:ID` is the data: URL `charts()[ID]`, fetched alike."""

    def __init__(self, charts: Callable[[], Mapping[str, str]] | None) -> None:
        # Any other scheme, http or file, is refused, so a report never reaches the network nor reads a file
        # named by a crafted ledger value.
        super().__init__(allowed_protocols=("data",))
        self._charts = charts

    def fetch(self, url: str, headers: Any = None) -> Any:  # a weasyprint.urls.URLFetcherResponse
        prefix = CHART_SCHEME + ":"
        if self._charts is not None and url.startswith(prefix):
            try:
                data_url = self._charts()[url[len(prefix):]]
            except BaseException as exc:
                # WeasyPrint would log any other error and leave the chart out: this one stops the PDF.
                raise FatalURLFetchingError(f"the chart {url[len(prefix):]} could not be drawn") from exc
            return super().fetch(data_url, headers)
        return super().fetch(url, headers)


def render_pdf(html: str, charts: Callable[[], Mapping[str, str]] | None = None) -> bytes:
    """A4 PDF bytes for the print HTML; metadata (title, dates) comes from its <title> and <meta> tags.

    `charts` returns the charts' SVG data: URLs by id, for images the HTML names with `chart_url`; it is called
    when the first of them is laid out (and may block until they are drawn).
    """
    document = weasyprint.HTML(string=html, base_url="about:blank", url_fetcher=_Fetcher(charts))
    try:
        # A fixed identifier keeps the PDF byte-identical for the same ledger and date.
        pdf = document.write_pdf(pdf_identifier=b"lifealm-briefing")
    except FatalURLFetchingError as exc:  # a BaseException: re-raised as the charts' own error, as if drawn here
        if exc.__cause__ is None:
            raise LifealmError("the PDF's charts could not be drawn", hint="run the report again") from None
        raise exc.__cause__ from None
    if not pdf:
        raise LifealmError("the PDF renderer returned nothing", hint="run `lifealm doctor` to check fonts and harfbuzz")
    return bytes(pdf)
