"""Render resources/icons/focalpoint.svg to the PNG, ICO and ICNS files packaging uses.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tools/make_icons.py
"""
import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QImageWriter, QPainter
from PySide6.QtSvg import QSvgRenderer

ICONS = Path(__file__).resolve().parents[1] / "resources" / "icons"


def render(size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    QSvgRenderer(str(ICONS / "focalpoint.svg")).render(painter)
    painter.end()
    return image


def main() -> int:
    QGuiApplication(sys.argv[:1])
    render(256).save(str(ICONS / "focalpoint.png"))
    formats = {bytes(f).decode() for f in QImageWriter.supportedImageFormats()}
    for ext, size in (("ico", 256), ("icns", 512)):
        if ext in formats:
            ok = render(size).save(str(ICONS / f"focalpoint.{ext}"), ext.upper())
            print(ext, "written" if ok else "failed")
        else:
            print(ext, "not supported by this Qt build")
    return 0


if __name__ == "__main__":
    sys.exit(main())
