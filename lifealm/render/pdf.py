"""PDF from the print variant of the briefing with WeasyPrint; nothing is fetched beyond data: URLs."""

from __future__ import annotations

import weasyprint

from lifealm.errors import LifealmError


def render_pdf(html: str) -> bytes:
    """A4 PDF bytes for the print HTML; metadata (title, dates) comes from its <title> and <meta> tags."""
    # The print template inlines everything (CSS, SVG charts as data: URLs); any other scheme, http or file,
    # is refused, so a report never reaches the network nor reads a file named by a crafted ledger value.
    fetcher = weasyprint.URLFetcher(allowed_protocols=("data",))
    document = weasyprint.HTML(string=html, base_url="about:blank", url_fetcher=fetcher)
    # A fixed identifier keeps the PDF byte-identical for the same ledger and date.
    pdf = document.write_pdf(pdf_identifier=b"lifealm-briefing")
    if not pdf:
        raise LifealmError("the PDF renderer returned nothing", hint="run `lifealm doctor` to check fonts and harfbuzz")
    return bytes(pdf)
