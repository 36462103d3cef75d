"""HTML to PDF with WeasyPrint (Pango underneath): the printable page's own HTML and print CSS
become the PDF, so both always match. Nothing is fetched while rendering."""

from __future__ import annotations

import warnings
from functools import cache
from typing import Any


@cache
def _weasyprint() -> Any:
    """Imported on the first PDF, so the API starts (and serves HTML slips) even on a host
    without Pango; `make setup` installs Pango and the fonts."""
    with warnings.catch_warnings():
        # Raised where Debian's libharfbuzz-subset0 is missing (`make setup` installs it);
        # WeasyPrint then subsets fonts itself and the PDF is the same.
        warnings.filterwarnings("ignore", message="HarfBuzz-Subset", category=DeprecationWarning)
        import weasyprint

    return weasyprint


def html_to_pdf(html: str) -> bytes:
    """Render a self-contained page (styles inline); any URL it names is refused, not fetched."""
    weasyprint = _weasyprint()
    fetcher = weasyprint.URLFetcher(allowed_protocols=frozenset())
    pdf: bytes = weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf()
    return pdf
