"""Screenshots of the real window on a generated photo library, for looking at the review screen.

Builds a library of a few hundred photos from the real-photo originals (unrelated photos plus
groups of 2 to 7 copies: resized, re-encoded, converted, cropped, re-graded, under long folder
and file names), scans it in the real window and saves a PNG per window size and group size, in
the colour scheme the desktop reports, and a scan in progress and the same scan cancelled
from a cache of its own. Run it under a display (Xvfb is enough):

    xvfb-run -s "-screen 0 1920x1200x24" .venv/bin/python -m bench.screenshots \\
        ../shared/corpus/originals /tmp/shots

and for the dark scheme, a GTK desktop set to dark (needs libgtk-3-0):

    QT_QPA_PLATFORMTHEME=gtk3 GTK_THEME=Adwaita:dark xvfb-run ... (the same command)

Nothing is written outside the output folder (settings, cache and journal live there too).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from PIL import Image, ImageDraw, ImageEnhance

BASE = "Pictures"
LONG_FOLDER = "Photo Library Backups/2019 Summer Holiday in the Scottish Highlands/Camera Uploads"
SIZES = ((1280, 800), (1600, 1000), (800, 560))
GROUP_SIZES = (2, 4, 7)
EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp")

Variant = Callable[[Image.Image], tuple[Image.Image, str, dict[str, object]]]


def _resize(f: float) -> Variant:
    def make(img: Image.Image) -> tuple[Image.Image, str, dict[str, object]]:
        size = (max(1, round(img.width * f)), max(1, round(img.height * f)))
        return img.resize(size, Image.Resampling.LANCZOS), "JPEG", {"quality": 85}

    return make


def _reencode(img: Image.Image) -> tuple[Image.Image, str, dict[str, object]]:
    return img, "JPEG", {"quality": 62}


def _png(img: Image.Image) -> tuple[Image.Image, str, dict[str, object]]:
    return img, "PNG", {}


def _crop(img: Image.Image) -> tuple[Image.Image, str, dict[str, object]]:
    # Trimmed on two edges, as a quick crop in a phone's editor is: the cards say where.
    dx, dy = img.width * 5 // 100, img.height * 5 // 100
    return img.crop((dx, 0, img.width, img.height - dy)), "JPEG", {"quality": 90}


def _brighter(img: Image.Image) -> tuple[Image.Image, str, dict[str, object]]:
    return ImageEnhance.Brightness(img).enhance(1.1), "JPEG", {"quality": 90}


def _stamped(img: Image.Image) -> tuple[Image.Image, str, dict[str, object]]:
    # A caption bar over the bottom, as a messaging app's "add text" leaves it.
    out = img.copy()
    draw = ImageDraw.Draw(out)
    bar = img.height // 10
    draw.rectangle((0, img.height - bar, img.width, img.height), fill=(20, 20, 20))
    draw.text((img.width // 20, img.height - bar * 2 // 3), "2019-07-12", fill=(255, 160, 0))
    return out, "JPEG", {"quality": 88}


VARIANTS: tuple[Variant, ...] = (_resize(0.5), _png, _reencode, _crop, _brighter, _stamped)
SUFFIX = {"JPEG": ".jpg", "PNG": ".png"}


def _fit(img: Image.Image, edge: int) -> Image.Image:
    img = img.convert("RGB")
    if max(img.size) > edge:
        img.thumbnail((edge, edge), Image.Resampling.LANCZOS)
    return img


def _folders(root: Path) -> list[Path]:
    return [
        root / BASE / "drive1" / "DCIM" / "101CANON",
        root / BASE / "drive2" / "DCIM" / "101CANON",
        root / BASE / LONG_FOLDER,
        root / BASE / "drive2" / "Edits" / "exported for the family album",
        root / BASE / "phone" / "WhatsApp Images",
        root / BASE / "drive1" / "DCIM" / "102CANON",
        root / BASE / "Downloads",
    ]


def build_library(originals: Path, root: Path, photos: int, seed: int = 5) -> Path:
    """A library of ``photos`` unrelated photos plus groups of 2-7 copies; reused if present."""
    done = root / ".complete"
    if done.exists():
        return root / BASE
    rng = random.Random(seed)
    files = sorted(p for p in originals.iterdir() if p.suffix.lower() in EXTENSIONS)
    rng.shuffle(files)
    images: list[tuple[Path, Image.Image]] = []
    for p in files:
        try:
            with Image.open(p) as im:
                img = _fit(im, 1600)
        except OSError:
            continue
        images.append((p, img))
        if len(images) >= photos:
            break
    # Groups are made of the larger photos (as a camera's would be), landscape ones first for
    # the 2-, 4- and 7-file groups the screenshots show, then a spread of group sizes.
    large = sorted(range(len(images)), key=lambda i: -images[i][1].width * images[i][1].height)
    landscape = [i for i in large if images[i][1].width > images[i][1].height * 1.2]
    sizes = [*GROUP_SIZES, *(rng.choice((2, 2, 2, 3, 3, 4, 5)) for _ in range(36))]
    first = landscape[: len(GROUP_SIZES)]
    chosen = first + [i for i in large if i not in first][: len(sizes) - len(first)]
    folders = _folders(root)
    for n, (index, size) in enumerate(zip(chosen, sizes, strict=False)):
        src, img = images[index]
        stem = f"IMG_2019{n:04d}_184533_HDR_{src.stem.replace('-', '_')}"
        for k in range(size):
            folder = folders[k % len(folders)]
            made = (
                (img, "JPEG", {"quality": 95}) if k == 0 else VARIANTS[(k - 1) % len(VARIANTS)](img)
            )
            out, fmt, params = made
            path = folder / (stem + SUFFIX[fmt])
            path.parent.mkdir(parents=True, exist_ok=True)
            out.save(path, fmt, **params)
            when = 1_562_950_000 + n * 3600 + k * 86_400
            os.utime(path, (when, when))
    used = set(chosen)
    for n, (src, img) in enumerate(images):
        if n in used:
            continue
        folder = folders[n % len(folders)]
        path = folder / f"{src.stem}.jpg"
        path.parent.mkdir(parents=True, exist_ok=True)
        img.save(path, "JPEG", quality=88)
    done.touch()
    return root / BASE


def shoot(library: Path, out: Path, extra: Iterable[str]) -> None:
    from PySide6.QtCore import QEventLoop, QSettings, Qt, QTimer
    from PySide6.QtWidgets import QApplication

    from dedupe_gui.ui.app import configure_application
    from dedupe_gui.ui.main_window import MainWindow
    from dedupe_gui.ui.services import WindowServices

    app = QApplication([sys.argv[0], *extra])
    configure_application(app)
    state = out / "state"
    state.mkdir(parents=True, exist_ok=True)

    def wait(done: Callable[[], bool], timeout: float = 60.0) -> None:
        end = time.monotonic() + timeout
        while not done() and time.monotonic() < end:
            loop = QEventLoop()
            QTimer.singleShot(20, loop.quit)
            loop.exec()

    def make_window(name: str, cache: str = "cache.sqlite3") -> MainWindow:
        conf = state / f"{name}.conf"
        conf.unlink(missing_ok=True)  # a first start: window sizes as a new user sees them
        settings = QSettings(str(conf), QSettings.Format.IniFormat)
        services = WindowServices(
            settings=settings,
            cache_path=str(state / cache),
            journal_path=str(state / "journal.jsonl"),
        )
        return MainWindow(services)

    def rows_shown(window: MainWindow) -> range:
        """The group list's rows on screen (a picture loads only once its row is shown)."""
        table = window.table
        first = table.rowAt(0)
        if first < 0:
            return range(0)
        last = table.rowAt(table.viewport().height() - 1)
        return range(first, (last if last >= 0 else window.model.rowCount() - 1) + 1)

    def settle(window: MainWindow) -> None:
        wait(lambda: not window.scanning and not window.grouping)
        wait(lambda: all(c.thumb.has_image() for c in window.panel.cards), 20)
        wait(lambda: all(window.model.picture_settled(r) for r in rows_shown(window)), 20)
        loop = QEventLoop()
        QTimer.singleShot(150, loop.quit)
        loop.exec()

    def save(window: MainWindow, name: str) -> None:
        path = out / f"{name}.png"
        window.grab().save(str(path))
        shown = [c.thumb.picture_rect() for c in window.panel.cards]
        sides = [round(max(r.width(), r.height())) for r in shown]
        keeper = window.panel.cards[0] if window.panel.cards else None
        visible = keeper is not None and keeper.isVisible() and not keeper.visibleRegion().isEmpty()
        print(f"{path}  picture long sides {sides}  keeper visible {visible}", flush=True)

    dark = app.styleHints().colorScheme() == Qt.ColorScheme.Dark
    print(f"desktop colour scheme: {app.styleHints().colorScheme().name}", flush=True)
    scheme = "dark" if dark else "light"
    window = make_window(scheme)
    window.resize(*SIZES[0])
    window.show()
    window.set_scan_folders([str(library)])
    window.start_scan()
    settle(window)
    for width, height in SIZES[:1] if dark else SIZES:
        window.resize(width, height)
        for files in GROUP_SIZES:
            # The largest size also takes a larger group: copies of one photo may draw in
            # another file, and that group is the one to look at.
            largest = files == GROUP_SIZES[-1]
            rows = [
                r
                for r, s in enumerate(window.model.states())
                if len(s.members) == files or (largest and len(s.members) > files)
            ]
            if not rows:
                continue
            window.select_row(rows[0])
            settle(window)
            save(window, f"{scheme}-{width}x{height}-{files}files")
    window.close()

    if dark:
        return
    missing = make_window("missing")
    missing.resize(*SIZES[0])
    missing.show()
    missing.set_scan_folders([str(library.parent / "USB drive (not plugged in)")])
    missing.start_scan()
    settle(missing)
    save(missing, "light-missing-folder")
    missing.close()

    # A scan stopped part way: a cache of its own, so the scan is cold and slow enough to stop.
    (state / "stopped.sqlite3").unlink(missing_ok=True)
    stopped = make_window("stopped", "stopped.sqlite3")
    stopped.resize(*SIZES[0])
    stopped.show()
    stopped.set_scan_folders([str(library)])
    stopped.start_scan()
    bar = stopped.progress.bar
    wait(lambda: bar.maximum() > 0 and bar.value() >= bar.maximum() // 4)
    if not stopped.scanning:
        raise SystemExit("the scan ended before a quarter of it could be shown: no scanning shots")
    save(stopped, "light-scanning")
    stopped.cancel()
    settle(stopped)
    save(stopped, "light-cancelled-scan")
    stopped.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("originals", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--photos", type=int, default=300)
    args, extra = parser.parse_known_args()
    library = build_library(args.originals, args.out / "library", args.photos)
    shoot(library, args.out, extra)


if __name__ == "__main__":
    main()
