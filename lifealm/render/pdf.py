"""PDF from the print variant of the briefing with WeasyPrint; nothing is fetched beyond data: URLs, and the charts
are drawn elsewhere while the pages are laid out (`ChartImage`)."""

from __future__ import annotations

import base64
import inspect
from collections.abc import Callable, Mapping
from types import SimpleNamespace
from typing import Any
from xml.etree import ElementTree

from lifealm.errors import LifealmError
from lifealm.render.print_worker import CHART_SCHEME, Size, chart_url
from lifealm.render.weasyprint_loader import load_weasyprint

weasyprint = load_weasyprint()  # WeasyPrint ships no type hints: its names are Any here
URLFetcher: Any = weasyprint.URLFetcher
FatalURLFetchingError: Any = weasyprint.urls.FatalURLFetchingError
FontConfiguration: Any = weasyprint.text.fonts.FontConfiguration
SVGImage: Any = weasyprint.images.SVGImage

# A chart id → its SVG as a data: URL; called when the PDF draws the chart, and may wait until it is drawn.
ChartSource = Callable[[str], str]


class ChartDrawnAtAnotherSize(RuntimeError):
    """A chart's SVG is not the size its page was laid out for (its spec does not fit the size it was given)."""


def _draws_images_as_lifealm_expects() -> bool:
    """Whether this WeasyPrint's images answer as `ChartImage` does (its SVG image class's arguments, by name):
    `ChartImage` stands in for one, which no public interface provides for."""
    try:
        arguments = {name: list(inspect.signature(getattr(SVGImage, name)).parameters)[1:]
                     for name in ("__init__", "get_intrinsic_size", "draw")}
    except (AttributeError, TypeError, ValueError):
        return False
    return (arguments["__init__"] == ["tree", "base_url", "url_fetcher", "context"]
            and arguments["get_intrinsic_size"] == ["image_resolution", "font_size"] and len(arguments["draw"]) == 4)


# With another WeasyPrint the charts are fetched before the pages are laid out (same PDF, made later).
CHARTS_AFTER_LAYOUT = _draws_images_as_lifealm_expects()


class _Fetcher(URLFetcher):  # type: ignore[misc]
    """data: URLs only: any other scheme, http or file, is refused, so a report never reaches the network nor reads
    a file named by a crafted ledger value. A chart's URL is its SVG from `source`, when the chart has a size."""

    def __init__(self, sizes: Mapping[str, Size], source: ChartSource | None) -> None:
        super().__init__(allowed_protocols=("data",))
        self._sizes, self._source = sizes, source

    def fetch(self, url: str, headers: Any = None) -> Any:  # a weasyprint.urls.URLFetcherResponse
        if url.startswith(CHART_SCHEME + ":"):
            chart_id = url[len(CHART_SCHEME) + 1:]
            if self._source is None or chart_id not in self._sizes:
                # WeasyPrint would leave the chart out silently: this stops the PDF.
                raise FatalURLFetchingError(f"the print HTML shows the chart {chart_id!r}, which has no size")
            try:  # only when charts are not drawn after layout (CHARTS_AFTER_LAYOUT)
                url = self._source(chart_id)
            except BaseException as exc:  # WeasyPrint would log any other error and leave the chart out
                raise FatalURLFetchingError(f"the chart {chart_id!r} could not be drawn") from exc
        return super().fetch(url, headers)


class ChartImage:
    """A chart the PDF lays out at its known size and draws only when it reaches it, so the pages are laid out while
    another process draws the charts. It stands in WeasyPrint's image cache under the chart's URL and answers as
    the SVG image fetched from there would (`get_intrinsic_size`, `draw`): the PDF's bytes are the same."""

    def __init__(self, chart_id: str, size: Size, source: ChartSource, fetcher: Any, font_config: Any) -> None:
        self._id, self._size, self._source = chart_id, size, source
        self._fetcher, self._font_config = fetcher, font_config
        self._svg: Any = None  # the SVGImage, once drawn: an image shown twice is parsed once

    def get_intrinsic_size(self, image_resolution: float, font_size: float) -> tuple[float, float, float]:
        width, height = self._size
        return width, height, width / height

    def draw(self, stream: Any, concrete_width: float, concrete_height: float, style: Any) -> None:
        if self._svg is None:
            data_url = self._source(self._id)
            tree = ElementTree.fromstring(base64.b64decode(data_url.split(",", 1)[1]))
            drawn = (float(tree.get("width", "nan")), float(tree.get("height", "nan")))
            if drawn != tuple(map(float, self._size)):
                raise ChartDrawnAtAnotherSize(f"the chart {self._id!r} was drawn at {drawn[0]:g}×{drawn[1]:g} px, "
                                              f"its page laid out for {self._size[0]}×{self._size[1]}")
            # As WeasyPrint builds an SVG image it fetched itself (weasyprint.images.get_image_from_uri).
            self._svg = SVGImage(tree, chart_url(self._id), self._fetcher,
                                 SimpleNamespace(font_config=self._font_config))
        self._svg.draw(stream, concrete_width, concrete_height, style)


def render_pdf(html: str, sizes: Mapping[str, Size] | None = None, source: ChartSource | None = None) -> bytes:
    """A4 PDF bytes for the print HTML; metadata (title, dates) comes from its <title> and <meta> tags.

    The HTML names each chart by `chart_url`; `sizes` gives each chart's size and `source` its SVG, asked for when
    the chart is drawn (after the pages are laid out). Its errors stop the PDF.
    """
    fetcher = _Fetcher(sizes or {}, source)
    font_config = FontConfiguration()
    charts = {chart_url(chart_id): ChartImage(chart_id, size, source, fetcher, font_config)
              for chart_id, size in (sizes or {}).items() if source is not None and CHARTS_AFTER_LAYOUT}
    document = weasyprint.HTML(string=html, base_url="about:blank", url_fetcher=fetcher)
    try:
        # A fixed identifier keeps the PDF byte-identical for the same ledger and date.
        pdf = document.write_pdf(pdf_identifier=b"lifealm-briefing", cache=charts, font_config=font_config)
    except FatalURLFetchingError as exc:  # a BaseException: a chart without a size, or its drawing's own error
        if exc.__cause__ is not None:
            raise exc.__cause__ from None
        raise LifealmError(f"the PDF's charts could not be drawn: {exc}", hint="report this as a lifealm bug") from None
    if not pdf:
        raise LifealmError("the PDF renderer returned nothing", hint="run `lifealm doctor` to check fonts and harfbuzz")
    return bytes(pdf)
