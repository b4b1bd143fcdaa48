"""Render the app icon (resources/icons/promptbench.svg) to the files each platform wants.

    python packaging/make_icons.py [--out resources/icons]

Writes promptbench-<N>.png for N in 16..512 (Linux desktops, the window icon), promptbench.ico (Windows) and
promptbench.icns (macOS). Run it after changing the SVG and commit what it writes; the build only reads them.

Qt renders the SVG (QSvgRenderer) so the PNGs look exactly like the window's own icon. The ICO and ICNS files are
containers of those same PNGs; Qt's image writers put only one image in each, and both formats are a short
directory followed by PNG data, so they are packed here rather than adding Pillow to the build just for that.
"""

from __future__ import annotations

import argparse
import os
import struct
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SVG = REPO / "resources" / "icons" / "promptbench.svg"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)  # 256 is the largest an ICO directory entry can describe
# macOS icon types that hold PNG data, by the pixel size they contain (Apple's "Icon Services" types).
ICNS_TYPES = (
    (b"icp4", 16), (b"icp5", 32), (b"icp6", 64), (b"ic07", 128), (b"ic08", 256), (b"ic09", 512),
    (b"ic11", 32), (b"ic12", 64), (b"ic13", 256), (b"ic14", 512),
)  # fmt: skip


def render_png(svg: Path, size: int) -> bytes:
    """The SVG drawn at `size` x `size` pixels on a transparent background, as PNG bytes."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"{svg}: Qt cannot read this SVG.")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(0)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data)


def pack_ico(pngs: dict[int, bytes]) -> bytes:
    """An ICO file holding each PNG (Windows Vista and later read PNG entries at every size)."""
    sizes = sorted(pngs)
    header = struct.pack("<HHH", 0, 1, len(sizes))  # reserved, type 1 = icon, image count
    offset = len(header) + 16 * len(sizes)
    entries, payload = b"", b""
    for size in sizes:
        data = pngs[size]
        side = size % 256  # 0 means 256 in an ICO directory entry
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(data), offset + len(payload))
        payload += data
    return header + entries + payload


def pack_icns(pngs: dict[int, bytes]) -> bytes:
    """An ICNS file: 'icns', the total length, then (type, length, PNG) for each type in ICNS_TYPES."""
    body = b""
    for kind, size in ICNS_TYPES:
        body += kind + struct.pack(">I", 8 + len(pngs[size])) + pngs[size]
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def make_icons(out: Path, svg: Path = SVG) -> list[Path]:
    """Write every icon file into `out`; returns the paths written."""
    from PySide6.QtGui import QGuiApplication

    # QImage and QPainter need a QGuiApplication; offscreen so this runs on a build machine with no display.
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])
    pngs = {size: render_png(svg, size) for size in sorted({*PNG_SIZES, *ICO_SIZES, *(s for _, s in ICNS_TYPES)})}
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for size in PNG_SIZES:
        written.append(_write(out / f"promptbench-{size}.png", pngs[size]))
    written.append(_write(out / "promptbench.ico", pack_ico({s: pngs[s] for s in ICO_SIZES})))
    written.append(_write(out / "promptbench.icns", pack_icns(pngs)))
    del app
    return written


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=SVG.parent, help="folder to write into (default: %(default)s)")
    parser.add_argument("--svg", type=Path, default=SVG, help="the icon to render (default: %(default)s)")
    args = parser.parse_args(argv)
    for path in make_icons(args.out, args.svg):
        print(f"{path} ({path.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
