"""The Teams app's two icons, drawn as PNGs with the standard library: a padlock.

Teams wants a 192x192 full-colour icon and a 32x32 outline icon (white on transparent). Both
are the same padlock, so the shape is one function, sampled at either size.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable

COLOR_SIZE = 192
OUTLINE_SIZE = 32
WHITE = (255, 255, 255, 255)
CLEAR = (0, 0, 0, 0)

Pixel = tuple[int, int, int, int]


def _in_padlock(x: float, y: float) -> bool:
    """Whether a point (on the 192-pixel grid) is part of the padlock's white shape."""
    # The keyhole is cut out of the body.
    if (x - 96) ** 2 + (y - 114) ** 2 <= 9**2 or (90 <= x <= 102 and 114 <= y <= 138):
        return False
    if 52 <= x <= 140 and 86 <= y <= 156:
        return True
    # The shackle: the top half of a ring above the body.
    distance = ((x - 96) ** 2 + (y - 86) ** 2) ** 0.5
    return y <= 86 and 22 <= distance <= 36


def png(size: int, pixel: Callable[[int, int], Pixel]) -> bytes:
    """A square RGBA PNG, `pixel(x, y)` giving each pixel's colour."""
    rows = b"".join(
        b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(size)) for y in range(size)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def color_icon(accent: str) -> bytes:
    """The 192x192 icon: a white padlock on the accent colour (#rrggbb)."""
    red, green, blue = (int(accent[i : i + 2], 16) for i in (1, 3, 5))
    background = (red, green, blue, 255)
    return png(COLOR_SIZE, lambda x, y: WHITE if _in_padlock(x + 0.5, y + 0.5) else background)


def outline_icon() -> bytes:
    """The 32x32 icon: the padlock in white on a transparent background."""
    scale = COLOR_SIZE / OUTLINE_SIZE
    return png(
        OUTLINE_SIZE,
        lambda x, y: WHITE if _in_padlock((x + 0.5) * scale, (y + 0.5) * scale) else CLEAR,
    )
