"""Look-alikes of drawn screens and pages: different pictures that differ in a few cells,
lines or marks.

Spreadsheets and calendars with a few cells changed, maps with another pin and route, code
with a few lines changed, QR codes and barcodes (all alike at a glance, each its own
content), charts of different data on one template, an app's screen with one value changed,
and pages of one book or document, photographed or scanned. Every picture made here is its
own original.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from bench.corpus_drawing import font, status_bar, words


def _changed_cells(
    rng: random.Random, cells: list[str], k: int, make: Callable[[], str]
) -> list[str]:
    out = list(cells)
    for i in rng.sample(range(len(cells)), k):
        out[i] = make()
    return out


def spreadsheets(rng: random.Random, n: int) -> list[Image.Image]:
    """One sheet saved again after a few cells were changed (1-4 cells per member)."""
    w, h = 1920, 1080
    cols, rows, cw, rh = 10, 30, 180, 30
    base = [f"{rng.uniform(0, 9999):.2f}" for _ in range(cols * rows)]
    out = []
    for _ in range(n):
        cells = _changed_cells(rng, base, rng.randint(1, 4), lambda: f"{rng.uniform(0, 9999):.2f}")
        img = Image.new("RGB", (w, h), (255, 255, 255))
        d = ImageDraw.Draw(img)
        d.rectangle((0, 0, w, 110), fill=(33, 115, 70))
        d.rectangle((0, 110, w, 150), fill=(240, 240, 240))
        f = font(18)
        for c in range(cols + 1):
            d.line((60 + c * cw, 150, 60 + c * cw, 150 + rows * rh), fill=(210, 210, 210))
        for r in range(rows + 1):
            d.line((0, 150 + r * rh, 60 + cols * cw, 150 + r * rh), fill=(210, 210, 210))
        for r in range(rows):
            d.text((10, 156 + r * rh), str(r + 1), font=f, fill=(90, 90, 90))
            for c in range(cols):
                d.text((60 + c * cw + 8, 156 + r * rh), cells[r * cols + c], font=f, fill=(0, 0, 0))
        out.append(img)
    return out


def calendars(rng: random.Random, n: int) -> list[Image.Image]:
    """A month view with its events, each member with one or two events moved or renamed."""
    w, h = 1600, 1000
    slots = [(d, k) for d in range(35) for k in range(3)]
    events = {s: words(rng, 2) for s in rng.sample(slots, 30)}
    colours = [(66, 133, 244), (15, 157, 88), (244, 180, 0), (219, 68, 55)]
    out = []
    for _ in range(n):
        ev = dict(events)
        for _ in range(rng.randint(1, 2)):
            ev.pop(rng.choice(list(ev)))
            ev[rng.choice([s for s in slots if s not in ev])] = words(rng, 2)
        img = Image.new("RGB", (w, h), (255, 255, 255))
        d = ImageDraw.Draw(img)
        d.text((40, 30), "March", font=font(48), fill=(60, 60, 60))
        cw, ch = (w - 80) // 7, (h - 160) // 5
        for day in range(35):
            x, y = 40 + (day % 7) * cw, 130 + (day // 7) * ch
            d.rectangle((x, y, x + cw, y + ch), outline=(218, 220, 224))
            d.text((x + 8, y + 6), str(day % 31 + 1), font=font(20), fill=(60, 60, 60))
            for k in range(3):
                if (day, k) in ev:
                    col = colours[(day + k) % 4]
                    d.rounded_rectangle(
                        (x + 4, y + 34 + k * 36, x + cw - 4, y + 64 + k * 36), 5, fill=col
                    )
                    d.text(
                        (x + 10, y + 38 + k * 36), ev[(day, k)], font=font(18), fill=(255, 255, 255)
                    )
        out.append(img)
    return out


def maps(rng: random.Random, n: int) -> list[Image.Image]:
    """One map view with a different pin and route drawn each time."""
    w, h = 1080, 2340
    img0 = Image.new("RGB", (w, h), (242, 239, 233))
    d = ImageDraw.Draw(img0)
    for _ in range(8):  # parks and water
        x, y = rng.randint(0, w), rng.randint(0, h)
        col = rng.choice(((200, 230, 190), (170, 210, 240)))
        d.ellipse((x - rng.randint(80, 300), y - rng.randint(80, 300), x + 200, y + 200), fill=col)
    for _ in range(25):  # streets
        if rng.random() < 0.5:
            y = rng.randint(0, h)
            d.line(
                (0, y, w, y + rng.randint(-200, 200)),
                fill=(255, 255, 255),
                width=rng.choice((10, 18, 28)),
            )
        else:
            x = rng.randint(0, w)
            d.line(
                (x, 0, x + rng.randint(-200, 200), h),
                fill=(255, 255, 255),
                width=rng.choice((10, 18, 28)),
            )
    status_bar(d, w, 0, False, rng)
    d.rounded_rectangle((30, 120, w - 30, 220), 40, fill=(255, 255, 255), outline=(200, 200, 200))
    out = []
    for _ in range(n):
        img = img0.copy()
        d = ImageDraw.Draw(img)
        pts = [
            (rng.randint(100, w - 100), rng.randint(400, h - 400)) for _ in range(rng.randint(3, 5))
        ]
        d.line(pts, fill=(66, 133, 244), width=14, joint="curve")
        px, py = pts[-1]
        d.ellipse((px - 30, py - 80, px + 30, py - 20), fill=(219, 68, 55))
        d.polygon([(px - 24, py - 40), (px + 24, py - 40), (px, py)], fill=(219, 68, 55))
        d.text((60, 150), words(rng, 3), font=font(40), fill=(60, 60, 60))
        out.append(img)
    return out


def code_editor(rng: random.Random, n: int) -> list[Image.Image]:
    """An editor on one file: each member with 1-3 lines changed."""
    w, h = 1920, 1080
    keywords = ("def", "return", "if", "for", "class", "import", "while", "with")
    dark = rng.random() < 0.7

    def line() -> tuple[int, str, str]:
        return (
            rng.randint(0, 3),
            rng.choice(keywords),
            words(rng, rng.randint(1, 5)).replace(" ", "_", 1),
        )

    base = [line() for _ in range(38)]
    out = []
    for _ in range(n):
        lines = list(base)
        for i in rng.sample(range(len(lines)), rng.randint(1, 3)):
            lines[i] = line()
        img = Image.new("RGB", (w, h), (30, 30, 30) if dark else (255, 255, 255))
        d = ImageDraw.Draw(img)
        d.rectangle((0, 0, 300, h), fill=(37, 37, 38) if dark else (243, 243, 243))
        d.rectangle((0, 0, w, 40), fill=(50, 50, 50) if dark else (221, 221, 221))
        for k, (indent, kw, rest) in enumerate(lines):
            y = 56 + k * 26
            d.text((310, y), f"{k + 1:3d}", font=font(18), fill=(120, 120, 120))
            x = 370 + indent * 40
            d.text((x, y), kw, font=font(20), fill=(197, 134, 192) if dark else (0, 0, 255))
            d.text((x + 14 * len(kw) + 10, y), rest, font=font(20),
                   fill=(212, 212, 212) if dark else (30, 30, 30))  # fmt: skip
        out.append(img)
    return out


def qr_codes(rng: random.Random, n: int) -> list[Image.Image]:
    """QR-like codes: three finder squares and random modules, each code its own content."""
    modules = rng.choice((25, 29, 33))
    px = rng.choice((20, 24, 30))
    quiet = 4
    out = []
    g = np.random.default_rng(rng.randrange(2**32))
    for _ in range(n):
        m = g.random((modules, modules)) < 0.5
        for fx, fy in ((0, 0), (modules - 7, 0), (0, modules - 7)):
            m[fy : fy + 7, fx : fx + 7] = False
            m[fy : fy + 7, fx] = m[fy : fy + 7, fx + 6] = True
            m[fy, fx : fx + 7] = m[fy + 6, fx : fx + 7] = True
            m[fy + 2 : fy + 5, fx + 2 : fx + 5] = True
        full = np.ones((modules + 2 * quiet,) * 2, bool)
        full[quiet:-quiet, quiet:-quiet] = ~m
        img = Image.fromarray((full * 255).astype(np.uint8)).resize(
            (full.shape[1] * px, full.shape[0] * px), Image.Resampling.NEAREST
        )
        out.append(img.convert("RGB"))
    return out


def barcodes(rng: random.Random, n: int) -> list[Image.Image]:
    """Linear barcodes of one width with different numbers under them."""
    w, h = 1200, 600
    out = []
    for _ in range(n):
        img = Image.new("RGB", (w, h), (255, 255, 255))
        d = ImageDraw.Draw(img)
        x = 120
        black = True
        while x < w - 120:
            bw = rng.choice((4, 4, 8, 12, 16))
            if black:
                d.rectangle((x, 80, x + bw - 1, 460), fill=(0, 0, 0))
            black = not black
            x += bw
        d.text((w // 2, 520), "".join(str(rng.randint(0, 9)) for _ in range(13)), font=font(56),
               fill=(0, 0, 0), anchor="mm")  # fmt: skip
        out.append(img)
    return out


def charts(rng: random.Random, n: int) -> list[Image.Image]:
    """Bar or line charts of different data on one template (title, axes, grid, legend)."""
    w, h = 1600, 1000
    kind = rng.choice(("bars", "line"))
    count = rng.randint(6, 12)
    title = words(rng, 3).title()
    colour = tuple(rng.randint(0, 200) for _ in range(3))
    out = []
    for _ in range(n):
        data = [rng.uniform(0.1, 1.0) for _ in range(count)]
        img = Image.new("RGB", (w, h), (255, 255, 255))
        d = ImageDraw.Draw(img)
        d.text((w // 2, 50), title, font=font(44), fill=(40, 40, 40), anchor="mm")
        x0, y0, x1, y1 = 140, 120, w - 80, h - 120
        for k in range(6):
            y = y1 - k * (y1 - y0) // 5
            d.line((x0, y, x1, y), fill=(225, 225, 225))
            d.text((x0 - 20, y), str(k * 20), font=font(22), fill=(90, 90, 90), anchor="rm")
        d.line((x0, y0, x0, y1), fill=(0, 0, 0), width=2)
        d.line((x0, y1, x1, y1), fill=(0, 0, 0), width=2)
        step = (x1 - x0) / count
        pts = []
        for k, v in enumerate(data):
            cx = x0 + step * (k + 0.5)
            top = y1 - v * (y1 - y0)
            if kind == "bars":
                d.rectangle((cx - step * 0.3, top, cx + step * 0.3, y1), fill=colour)
            pts.append((cx, top))
            d.text((cx, y1 + 30), f"Q{k + 1}", font=font(22), fill=(90, 90, 90), anchor="mm")
        if kind == "line":
            d.line(pts, fill=colour, width=6)
        out.append(img)
    return out


def app_values(rng: random.Random, n: int) -> list[Image.Image]:
    """An app's screen (a balance, a weather reading, a step count) saved with one value
    changed: everything else is the same."""
    w, h = 1080, 2340
    dark = rng.random() < 0.5
    bg = (18, 18, 18) if dark else (248, 248, 250)
    ink = (240, 240, 240) if dark else (20, 20, 20)
    accent = tuple(rng.randint(0, 200) for _ in range(3))
    rows = [(words(rng, 2).title(), f"{rng.uniform(1, 999):.2f}") for _ in range(8)]
    label = words(rng, 2).title()
    clock = rng.random()
    out: list[Image.Image] = []
    seen: set[str] = set()
    while len(out) < n:
        value = f"{rng.randint(0, 99999):,}"
        if value in seen:
            continue
        seen.add(value)
        img = Image.new("RGB", (w, h), bg)
        d = ImageDraw.Draw(img)
        status_bar(d, w, 0, dark, random.Random(clock))
        d.rounded_rectangle((40, 160, w - 40, 760), 40, fill=accent)
        d.text((w // 2, 300), label, font=font(48), fill=(255, 255, 255), anchor="mm")
        d.text((w // 2, 480), value, font=font(150), fill=(255, 255, 255), anchor="mm")
        for k, (name, amount) in enumerate(rows):
            y = 860 + k * 150
            d.ellipse((60, y, 160, y + 100), fill=(128, 128, 128))
            d.text((200, y + 30), name, font=font(44), fill=ink)
            d.text((w - 60, y + 30), amount, font=font(44), fill=ink, anchor="ra")
        out.append(img)
    return out


def _page(rng: random.Random, size: tuple[int, int], margins: int, number: int) -> Image.Image:
    w, h = size
    img = Image.new("RGB", size, (250, 248, 242))
    d = ImageDraw.Draw(img)
    y = margins
    while y < h - margins - 60:
        if rng.random() < 0.06:  # a paragraph break
            y += 34
            continue
        d.text((margins, y), words(rng, rng.randint(7, 10)), font=font(30), fill=(30, 30, 30))
        y += 42
    d.text((w // 2, h - margins // 2), str(number), font=font(28), fill=(60, 60, 60), anchor="mm")
    return img


def book_pages(rng: random.Random, n: int, photographed: bool) -> list[Image.Image]:
    """Different pages of one book or document, photographed on a desk (a slight tilt, light
    fall-off) or scanned flat."""
    size, margins = (1240, 1754), rng.randint(110, 160)
    first = rng.randint(2, 300)
    desk = tuple(rng.randint(60, 140) for _ in range(3))
    tilt = rng.uniform(-2, 2)
    out = []
    for k in range(n):
        page = _page(rng, size, margins, first + k)
        if not photographed:
            out.append(page)
            continue
        canvas = Image.new("RGB", (1500, 2000), desk)
        turned = page.rotate(tilt + rng.uniform(-0.3, 0.3), expand=True, fillcolor=desk)
        canvas.paste(turned, ((1500 - turned.size[0]) // 2, (2000 - turned.size[1]) // 2))
        a = np.asarray(canvas, dtype=np.float32)
        yy, xx = np.mgrid[0:2000, 0:1500].astype(np.float32)
        light = 1 - 0.25 * np.hypot(xx / 1500 - 0.3, yy / 2000 - 0.2)
        img = Image.fromarray(np.clip(a * light[..., None], 0, 255).astype(np.uint8))
        out.append(img.filter(ImageFilter.GaussianBlur(0.8)))
    return out
