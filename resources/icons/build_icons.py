"""Rebuild every raster icon from the SVG sources in this folder.

    .venv/bin/python resources/icons/build_icons.py

Writes
  hicolor/NxN/apps/dedupe-gui.png   freedesktop icon theme layout, 16 … 512 px
  hicolor/scalable/apps/dedupe-gui.svg
  dedupe-gui.ico                    Windows (16 … 256 px)
  dedupe-gui.icns                   macOS (32 … 1024 px)
  ../../dedupe_gui/ui/icons/        the few sizes the running app loads (package data)

The 16 px icon comes from ``dedupe-gui-16.svg``, a copy of the mark drawn on a 16 px grid;
every other size comes from ``dedupe-gui.svg``. SVGs are rendered with ``rsvg-convert``
(Debian: librsvg2-bin) or, if that is missing, with the ``cairosvg`` Python package.
The generated files are committed, so this script is only needed after editing an SVG.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path

from PIL import Image

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
NAME = "dedupe-gui"
SOURCE = HERE / f"{NAME}.svg"
SOURCE_SMALL = HERE / f"{NAME}-16.svg"
HICOLOR = HERE / "hicolor"
PACKAGE_ICONS = REPO / "dedupe_gui" / "ui" / "icons"

THEME_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
PACKAGE_SIZES = (16, 24, 32, 48, 256)  # keep in step with dedupe_gui/ui/app_icon.py
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICNS_SIZES = (32, 64, 128, 256, 512, 1024)


def render(svg: Path, size: int) -> bytes:
    """Return the SVG rendered as a ``size`` x ``size`` PNG."""
    if shutil.which("rsvg-convert"):
        cmd = ["rsvg-convert", "--width", str(size), "--height", str(size), str(svg)]
        return subprocess.run(cmd, check=True, capture_output=True).stdout
    try:
        import cairosvg  # type: ignore[import-not-found]
    except ImportError:
        sys.exit("need rsvg-convert (apt install librsvg2-bin) or cairosvg (pip install cairosvg)")
    png: bytes = cairosvg.svg2png(url=str(svg), output_width=size, output_height=size)
    return png


def icon(size: int) -> Image.Image:
    svg = SOURCE_SMALL if size <= 16 else SOURCE
    image = Image.open(io.BytesIO(render(svg, size)))
    image.load()
    if image.size != (size, size):
        raise SystemExit(f"{svg.name} rendered at {image.size}, expected {size}x{size}")
    return image.convert("RGBA")


def save_png(image: Image.Image, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, "PNG", optimize=True)
    print(f"wrote {path.relative_to(REPO)}")


def main() -> None:
    images = {size: icon(size) for size in sorted({*THEME_SIZES, *ICO_SIZES, *ICNS_SIZES})}

    for size in THEME_SIZES:
        save_png(images[size], HICOLOR / f"{size}x{size}" / "apps" / f"{NAME}.png")
    scalable = HICOLOR / "scalable" / "apps" / f"{NAME}.svg"
    scalable.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SOURCE, scalable)
    print(f"wrote {scalable.relative_to(REPO)}")

    for size in PACKAGE_SIZES:
        save_png(images[size], PACKAGE_ICONS / f"{NAME}-{size}.png")

    ico = HERE / f"{NAME}.ico"
    images[256].save(
        ico,
        "ICO",
        sizes=[(s, s) for s in ICO_SIZES],
        append_images=[images[s] for s in ICO_SIZES if s != 256],
    )
    print(f"wrote {ico.relative_to(REPO)}")

    icns = HERE / f"{NAME}.icns"
    images[1024].save(icns, "ICNS", append_images=[images[s] for s in ICNS_SIZES if s != 1024])
    print(f"wrote {icns.relative_to(REPO)}")


if __name__ == "__main__":
    main()
