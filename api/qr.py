"""QR codes on printed slips, drawn as inline SVG markup."""

from __future__ import annotations

import segno
from markupsafe import Markup


def qr_svg(text: str) -> Markup:
    """`text` as a QR code in inline SVG: the same markup prints in the HTML page and in
    WeasyPrint's PDF (vector, no image file to fetch, no XML declaration); the size is left to
    the stylesheet (viewBox only); black modules on the paper, for any printer and phone camera."""
    code = segno.make(text, error="m")
    svg = code.svg_inline(scale=4, border=2, dark="#000", omitsize=True, svgclass="qr")
    return Markup(svg)  # noqa: S704 - segno drew it: path data only, nothing from the text
