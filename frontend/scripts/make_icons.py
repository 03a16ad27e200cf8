"""Writes the app icons (PNG) with the standard library only.

Run from the repository root: python3 frontend/scripts/make_icons.py
The icon is a white crescent on the theme colour; the maskable variant keeps the
crescent inside the central 80 % safe zone and fills the whole square.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

THEME = (31, 95, 139)  # #1f5f8b, the manifest's theme colour
WHITE = (255, 255, 255)
OUT = Path(__file__).resolve().parent.parent / "public" / "icons"


def png(width: int, pixels: list[bytes]) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + row for row in pixels)
    header = struct.pack(">IIBBBBB", width, len(pixels), 8, 6, 0, 0, 0)  # 8-bit RGBA
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def icon(size: int, maskable: bool) -> bytes:
    scale = 0.8 if maskable else 1.0  # maskable: the drawing fits the safe zone
    radius = size * (0.5 if maskable else 0.22)  # corner radius of the background
    centre = size / 2
    moon = size * 0.30 * scale
    bite = size * 0.25 * scale
    bite_x, bite_y = centre + size * 0.12 * scale, centre - size * 0.08 * scale
    rows = []
    for y in range(size):
        row = bytearray()
        for x in range(size):
            px, py = x + 0.5, y + 0.5
            inside = True
            if not maskable:
                dx = max(radius - px, 0, px - (size - radius))
                dy = max(radius - py, 0, py - (size - radius))
                inside = dx * dx + dy * dy <= radius * radius
            if not inside:
                row += bytes((0, 0, 0, 0))
                continue
            in_moon = (px - centre) ** 2 + (py - centre) ** 2 <= moon * moon
            in_bite = (px - bite_x) ** 2 + (py - bite_y) ** 2 <= bite * bite
            row += bytes((*(WHITE if in_moon and not in_bite else THEME), 255))
        rows.append(bytes(row))
    return png(size, rows)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, size, maskable in (
        ("icon-192.png", 192, False),
        ("icon-512.png", 512, False),
        ("icon-maskable-512.png", 512, True),
        ("apple-touch-icon-180.png", 180, True),
    ):
        (OUT / name).write_bytes(icon(size, maskable))


if __name__ == "__main__":
    main()
