"""QR codes as inline SVG (segno): what the clinician shows a patient to scan."""

from __future__ import annotations

import segno


def qr_svg(data: str, title: str) -> str:
    """An inline <svg> of ``data`` with a <title> (its accessible name), black on white with
    the quiet zone, so it scans on a dark page too."""
    svg: str = segno.make(data, error="m").svg_inline(title=title, scale=4, dark="#000", light="#fff")
    return svg.replace("<svg ", '<svg role="img" ', 1)
