"""Build a labelled corpus of edited copies and look-alikes from real photographs.

    python -m bench.edit_corpus ../shared/corpus/originals /tmp/accuracy-edits-s1 --seed 1

The corpus of ``../shared/corpus/make_corpus.py`` covers resizes, re-encodes, light crops and
re-grades. This one covers what a real library holds besides: copies with a caption bar, a
sticker, darkened corners, straightened, trimmed, framed, letterboxed, shown inside a phone
screenshot or passed through a filter chain, and different pictures that share a layout
(slides on one background, chat screenshots, forms of one template, night shots crushed to a
few grey levels, objects photographed on one backdrop), which a near-duplicate finder must not
group. Parameters are drawn from ranges per family with the seed, so two seeds give two
corpora with different photos and different edits: tune on one, report on the other.

The output has the layout of the shared generator (``images/``, ``ground_truth.csv``,
``hard_negatives.csv``), so ``bench.accuracy`` scores it unchanged. ``transform`` is the
family; ``expected_match`` is ``original``, ``yes`` (a person calls it a copy: trims up to
~10 %, overlays up to ~15 % of the area, filters, vignettes, re-encodes) or ``optional``
(heavier trims, square crops, borders, screenshots, straightened copies). Every look-alike
is its own ``original_id``; ``hard_negatives.csv`` lists every pair inside one look-alike set.
Only Pillow and numpy are needed.
"""

from __future__ import annotations

import argparse
import csv
import io
import itertools
import math
import os
import random
import sys
import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont, ImageOps

LONG_SIDE = 1600  # originals are brought down to this: the corpus stays small and quick
PHOTO_EXT = (".jpg", ".jpeg", ".png", ".webp")

WORDS = [
    "quarterly",
    "results",
    "roadmap",
    "hiring",
    "budget",
    "design",
    "review",
    "launch",
    "plan",
    "customer",
    "growth",
    "security",
    "migration",
    "summary",
    "agenda",
    "timeline",
    "risks",
    "metrics",
    "goals",
    "team",
    "update",
    "market",
    "research",
    "pricing",
    "support",
    "cloud",
    "mobile",
    "release",
    "testing",
    "quality",
    "feedback",
    "strategy",
    "invoice",
    "total",
    "amount",
    "due",
    "date",
    "account",
    "number",
    "reference",
    "payment",
    "tax",
    "shipping",
    "order",
    "hello",
    "thanks",
    "tomorrow",
    "meeting",
    "lunch",
    "photos",
    "weekend",
    "dinner",
    "train",
    "late",
    "sorry",
    "great",
    "idea",
]


@dataclass(frozen=True)
class Variant:
    image: Image.Image
    family: str
    expected: str
    params: str
    fmt: str = "JPEG"
    quality: int = 92


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=max(8, size))


def _words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def _rgb(img: Image.Image) -> Image.Image:
    return img.convert("RGB") if img.mode != "RGB" else img


# -- edits a person would call a copy ("yes") ------------------------------------------------


def caption_bar(img: Image.Image, rng: random.Random) -> Variant:
    w, h = img.size
    share = rng.uniform(0.08, 0.12)
    bar = int(h * share)
    out = img.copy().convert("RGBA")
    layer = Image.new("RGBA", out.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    style = rng.choice(("black", "white", "translucent"))
    fill = {"black": (0, 0, 0, 255), "white": (255, 255, 255, 255)}.get(style, (0, 0, 0, 150))
    text = (255, 255, 255, 255) if style != "white" else (20, 20, 20, 255)
    draw.rectangle((0, h - bar, w, h), fill=fill)
    draw.text((int(w * 0.04), h - bar + bar // 5), _words(rng, 5), font=_font(bar // 2), fill=text)
    out = Image.alpha_composite(out, layer).convert("RGB")
    return Variant(out, "caption", "yes", f"bottom {share:.0%} {style}")


def vignette(img: Image.Image, rng: random.Random) -> Variant:
    w, h = img.size
    strength = rng.uniform(0.45, 0.85)
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    r = np.sqrt(((x - w / 2) / (w / 2)) ** 2 + ((y - h / 2) / (h / 2)) ** 2) / math.sqrt(2)
    gain = 1 - strength * np.clip((r - 0.35) / 0.65, 0, 1) ** 1.5
    a = np.asarray(_rgb(img), dtype=np.float32) * gain[..., None]
    out = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))
    return Variant(out, "vignette", "yes", f"strength {strength:.2f}")


def sticker(img: Image.Image, rng: random.Random) -> Variant:
    w, h = img.size
    area = rng.uniform(0.07, 0.13)
    side = int(math.sqrt(area * w * h))
    cx = rng.randint(side // 2, w - side // 2)
    cy = rng.randint(side // 2, h - side // 2)
    out = _rgb(img).copy()
    draw = ImageDraw.Draw(out)
    box = (cx - side // 2, cy - side // 2, cx + side // 2, cy + side // 2)
    kind = rng.choice(("smiley", "heart", "star", "label"))
    if kind == "smiley":
        draw.ellipse(box, fill=(255, 205, 40), outline=(120, 80, 0), width=max(2, side // 30))
        e = side // 8
        draw.ellipse((cx - 2 * e, cy - 2 * e, cx - e, cy - e // 2), fill=(60, 40, 0))
        draw.ellipse((cx + e, cy - 2 * e, cx + 2 * e, cy - e // 2), fill=(60, 40, 0))
        draw.arc(
            (cx - 3 * e, cy - e, cx + 3 * e, cy + 3 * e), 20, 160, fill=(60, 40, 0), width=e // 2
        )
    elif kind == "heart":
        s = side // 2
        draw.ellipse((cx - s, cy - s, cx, cy), fill=(230, 30, 70))
        draw.ellipse((cx, cy - s, cx + s, cy), fill=(230, 30, 70))
        draw.polygon(
            [(cx - s, cy - s // 2), (cx + s, cy - s // 2), (cx, cy + s)], fill=(230, 30, 70)
        )
    elif kind == "star":
        pts = []
        for k in range(10):
            rad = side / 2 if k % 2 == 0 else side / 5
            ang = math.pi / 2 + k * math.pi / 5
            pts.append((cx + rad * math.cos(ang), cy - rad * math.sin(ang)))
        draw.polygon(pts, fill=(250, 220, 0), outline=(200, 120, 0))
    else:
        draw.rounded_rectangle(box, radius=side // 6, fill=(250, 250, 250), outline=(30, 30, 30))
        draw.text((box[0] + side // 8, cy - side // 8), rng.choice(WORDS), font=_font(side // 5),
                  fill=(200, 0, 0))  # fmt: skip
    return Variant(out, "sticker", "yes", f"{kind} {area:.0%} at {cx / w:.2f},{cy / h:.2f}")


def _trim(img: Image.Image, rng: random.Random, lo: float, hi: float) -> tuple[Image.Image, str]:
    w, h = img.size
    edges = rng.sample(("left", "right", "top", "bottom"), rng.randint(1, 3))
    cut = {
        e: (rng.uniform(lo, hi) if e in edges else 0.0) for e in ("left", "right", "top", "bottom")
    }
    box = (
        int(w * cut["left"]),
        int(h * cut["top"]),
        w - int(w * cut["right"]),
        h - int(h * cut["bottom"]),
    )
    return img.crop(box), " ".join(f"{e} {cut[e]:.0%}" for e in edges)


def trim_light(img: Image.Image, rng: random.Random) -> Variant:
    out, params = _trim(img, rng, 0.06, 0.10)
    return Variant(out, "trim 6-10%", "yes", params)


def _filter_step(img: Image.Image, rng: random.Random) -> tuple[Image.Image, str]:
    kind = rng.choice(
        ("blur", "sharpen", "noise", "gamma", "tint", "saturation", "sepia", "contrast")
    )
    img = _rgb(img)
    if kind == "blur":
        r = rng.uniform(0.8, 2.0)
        return img.filter(ImageFilter.GaussianBlur(r * max(img.size) / 1000)), f"blur {r:.1f}"
    if kind == "sharpen":
        return img.filter(ImageFilter.UnsharpMask(2, rng.randint(80, 200), 2)), "sharpen"
    a: np.ndarray[tuple[int, ...], np.dtype[np.floating[typing.Any]]]
    a = np.asarray(img, dtype=np.float32)
    if kind == "noise":
        s = rng.uniform(4, 12)
        a = a + np.random.default_rng(rng.randint(0, 2**31)).normal(0, s, a.shape)
        label = f"noise {s:.0f}"
    elif kind == "gamma":
        g = rng.choice((rng.uniform(0.6, 0.8), rng.uniform(1.25, 1.6)))
        a = 255 * (a / 255) ** g
        label = f"gamma {g:.2f}"
    elif kind == "tint":
        t = np.array([rng.uniform(0.85, 1.15) for _ in range(3)], dtype=np.float32)
        a = a * t
        label = "tint " + ",".join(f"{v:.2f}" for v in t)
    elif kind == "saturation":
        s = rng.choice((rng.uniform(0.3, 0.6), rng.uniform(1.4, 1.9)))
        grey = a.mean(axis=2, keepdims=True)
        a = grey + (a - grey) * s
        label = f"saturation {s:.2f}"
    elif kind == "sepia":
        m = np.array([[0.393, 0.769, 0.189], [0.349, 0.686, 0.168], [0.272, 0.534, 0.131]])
        a = a @ m.T.astype(np.float32)
        label = "sepia"
    else:
        c = rng.uniform(0.7, 1.35)
        a = (a - 128) * c + 128
        label = f"contrast {c:.2f}"
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8)), label


def filters(img: Image.Image, rng: random.Random) -> Variant:
    out, labels = img, []
    for _ in range(rng.randint(1, 2)):
        out, label = _filter_step(out, rng)
        labels.append(label)
    return Variant(out, "filter", "yes", "; ".join(labels), quality=rng.randint(75, 95))


def jpeg_chain(img: Image.Image, rng: random.Random) -> Variant:
    out = _rgb(img)
    steps = rng.randint(3, 6)
    for _ in range(steps):
        buf = io.BytesIO()
        out.save(buf, "JPEG", quality=rng.randint(55, 85))
        buf.seek(0)
        out = Image.open(buf)
        out.load()
    return Variant(out, "jpeg chain", "yes", f"{steps} saves")


def cmyk(img: Image.Image, rng: random.Random) -> Variant:
    return Variant(_rgb(img).convert("CMYK"), "cmyk", "yes", "CMYK JPEG")


def png16(img: Image.Image, rng: random.Random) -> Variant:
    a = np.asarray(_rgb(img).convert("L"), dtype=np.uint16) * 257
    return Variant(Image.fromarray(a), "png 16-bit", "yes", "16-bit grey PNG", fmt="PNG")


def chat_reshare(img: Image.Image, rng: random.Random) -> Variant:
    side = rng.choice((1280, 960, 800))
    out = _rgb(img).copy()
    out.thumbnail((side, side), Image.Resampling.BILINEAR)
    buf = io.BytesIO()
    out.save(buf, "JPEG", quality=rng.randint(60, 80))
    buf.seek(0)
    out = Image.open(buf)
    out.load()
    return Variant(out, "chat re-share", "yes", f"{side} px", quality=rng.randint(70, 85))


# -- heavier edits ("optional") ----------------------------------------------------------------


def straighten(img: Image.Image, rng: random.Random) -> Variant:
    angle = rng.uniform(2, 4) * rng.choice((-1, 1))
    w, h = img.size
    turned = _rgb(img).rotate(angle, Image.Resampling.BICUBIC, expand=False)
    # The largest axis-aligned rectangle of the same aspect inside the turned picture.
    a = math.radians(abs(angle))
    k = 1 / (math.cos(a) + math.sin(a) * max(w / h, h / w))
    cw, ch = int(w * k), int(h * k)
    box = ((w - cw) // 2, (h - ch) // 2, (w + cw) // 2, (h + ch) // 2)
    return Variant(turned.crop(box), "straightened", "optional", f"{angle:+.1f} deg")


def trim_heavy(img: Image.Image, rng: random.Random) -> Variant:
    out, params = _trim(img, rng, 0.12, 0.25)
    return Variant(out, "trim 12-25%", "optional", params)


def square_crop(img: Image.Image, rng: random.Random) -> Variant:
    w, h = img.size
    s = min(w, h)
    off = rng.uniform(0.3, 0.7)
    x, y = int((w - s) * off), int((h - s) * off)
    return Variant(img.crop((x, y, x + s, y + s)), "square crop", "optional", f"offset {off:.2f}")


def border(img: Image.Image, rng: random.Random) -> Variant:
    w, h = img.size
    colour = rng.choice(((0, 0, 0), (255, 255, 255), (24, 24, 24), (240, 236, 228)))
    kind = rng.choice(("frame", "letterbox"))
    if kind == "frame":
        pad = int(min(w, h) * rng.uniform(0.03, 0.10))
        out = ImageOps.expand(_rgb(img), pad, fill=colour)
        return Variant(out, "border", "optional", f"frame {pad}px {colour}")
    aspect = rng.choice((16 / 9, 1.0, 9 / 16, 4 / 5))
    canvas = (w, int(w / aspect)) if w / h > aspect else (int(h * aspect), h)
    out = Image.new("RGB", canvas, colour)
    out.paste(_rgb(img), ((canvas[0] - w) // 2, (canvas[1] - h) // 2))
    return Variant(out, "border", "optional", f"letterbox to {aspect:.2f} {colour}")


def _status_bar(
    draw: ImageDraw.ImageDraw, w: int, top: int, dark: bool, rng: random.Random
) -> None:
    ink = (240, 240, 240) if dark else (20, 20, 20)
    draw.text(
        (40, top + 18), f"{rng.randint(7, 23)}:{rng.randint(10, 59)}", font=_font(36), fill=ink
    )
    for k in range(3):
        draw.rectangle((w - 200 + k * 50, top + 24, w - 170 + k * 50, top + 54), fill=ink)


def screenshot(img: Image.Image, rng: random.Random) -> Variant:
    w, h = 1080, rng.choice((2340, 2400, 1920))
    dark = rng.random() < 0.6
    bg = (0, 0, 0) if dark else (250, 250, 250)
    out = Image.new("RGB", (w, h), bg)
    draw = ImageDraw.Draw(out)
    _status_bar(draw, w, 0, dark, rng)
    photo = _rgb(img).copy()
    photo.thumbnail((w, int(h * 0.7)), Image.Resampling.LANCZOS)
    y = (h - photo.size[1]) // 2 + rng.randint(-60, 60)
    out.paste(photo, ((w - photo.size[0]) // 2, y))
    ink = (230, 230, 230) if dark else (40, 40, 40)
    if rng.random() < 0.7:  # viewer chrome: a title row and an action row
        draw.text((40, 130), _words(rng, 2), font=_font(44), fill=ink)
        for k in range(4):
            x = 120 + k * 260
            draw.ellipse((x, h - 170, x + 60, h - 110), outline=ink, width=5)
    return Variant(
        out, "screenshot", "optional", f"{w}x{h} {'dark' if dark else 'light'}", fmt="PNG"
    )


YES: tuple[Callable[[Image.Image, random.Random], Variant], ...] = (
    caption_bar,
    vignette,
    sticker,
    trim_light,
    filters,
    jpeg_chain,
    cmyk,
    png16,
    chat_reshare,
)
OPTIONAL: tuple[Callable[[Image.Image, random.Random], Variant], ...] = (
    straighten,
    trim_heavy,
    square_crop,
    border,
    screenshot,
)


# -- look-alikes: different pictures that share a layout ----------------------------------------


def _background(
    kind: str, size: tuple[int, int], rng: random.Random, photo: Image.Image
) -> Image.Image:
    w, h = size
    if kind == "gradient":
        c1 = np.array([rng.randint(0, 120) for _ in range(3)], dtype=np.float32)
        c2 = np.array([rng.randint(80, 255) for _ in range(3)], dtype=np.float32)
        t = np.linspace(0, 1, h, dtype=np.float32)[:, None, None]
        a = np.broadcast_to(c1 * (1 - t) + c2 * t, (h, w, 3))
        return Image.fromarray(a.astype(np.uint8))
    if kind == "photo":
        bg = ImageOps.fit(_rgb(photo), size).filter(ImageFilter.GaussianBlur(max(w, h) / 60))
        return Image.blend(bg, Image.new("RGB", size, (0, 0, 0)), 0.35)
    if kind == "band":
        out = Image.new("RGB", size, (245, 245, 245))
        ImageDraw.Draw(out).rectangle(
            (0, 0, w, h // 6), fill=tuple(rng.randint(0, 160) for _ in range(3))
        )
        return out
    return Image.new("RGB", size, tuple(rng.randint(0, 255) for _ in range(3)))


def slides(rng: random.Random, photo: Image.Image, n: int) -> list[Image.Image]:
    """Title cards and bullet slides on one background, each with its own text."""
    kind = rng.choice(("gradient", "photo", "band", "solid"))
    size = rng.choice(((1920, 1080), (1280, 720), (1024, 768)))
    bg = _background(kind, size, rng, photo)
    w, h = size
    light = np.asarray(bg.convert("L")).mean() > 128
    ink = (20, 20, 30) if light else (250, 250, 250)
    out = []
    for _ in range(n):
        s = bg.copy()
        draw = ImageDraw.Draw(s)
        title = _words(rng, rng.randint(2, 4)).title()
        if rng.random() < 0.4:  # a title card
            draw.text((w // 2, h // 2), title, font=_font(h // 10), fill=ink, anchor="mm")
            draw.text(
                (w // 2, h // 2 + h // 8),
                _words(rng, 3),
                font=_font(h // 24),
                fill=ink,
                anchor="mm",
            )
        else:
            draw.text((w // 12, h // 12), title, font=_font(h // 14), fill=ink)
            for k in range(rng.randint(3, 6)):
                draw.text((w // 10, h // 4 + k * h // 10), "- " + _words(rng, rng.randint(3, 7)),
                          font=_font(h // 24), fill=ink)  # fmt: skip
        out.append(s)
    return out


def chats(rng: random.Random, n: int) -> list[Image.Image]:
    """Screenshots of one messaging layout with different conversations."""
    w, h = 1080, 2340
    dark = rng.random() < 0.5
    bg = (18, 18, 18) if dark else (236, 229, 221)
    mine, theirs = ((0, 92, 75), (38, 45, 49)) if dark else ((220, 248, 198), (255, 255, 255))
    ink = (233, 237, 239) if dark else (17, 27, 33)
    out = []
    for _ in range(n):
        s = Image.new("RGB", (w, h), bg)
        draw = ImageDraw.Draw(s)
        draw.rectangle((0, 0, w, 230), fill=(31, 44, 52) if dark else (0, 128, 105))
        _status_bar(draw, w, 0, True, rng)
        draw.text((180, 120), _words(rng, 2).title(), font=_font(48), fill=(255, 255, 255))
        draw.rectangle((0, h - 150, w, h), fill=(31, 44, 52) if dark else (240, 240, 240))
        y = 280
        while y < h - 350:
            me = rng.random() < 0.5
            lines = rng.randint(1, 3)
            bw = rng.randint(300, 800)
            bh = 30 + 52 * lines
            x = w - bw - 30 if me else 30
            draw.rounded_rectangle((x, y, x + bw, y + bh), 24, fill=mine if me else theirs)
            for k in range(lines):
                draw.text((x + 24, y + 18 + 52 * k), _words(rng, 4), font=_font(38), fill=ink)
            y += bh + rng.randint(20, 60)
        out.append(s)
    return out


def documents(rng: random.Random, n: int) -> list[Image.Image]:
    """Invoices, forms or receipts of one template with different entries."""
    kind = rng.choice(("invoice", "form", "receipt"))
    w, h = (620, 1400) if kind == "receipt" else (1240, 1754)
    ink = (25, 25, 25)
    out = []
    for _ in range(n):
        s = Image.new("RGB", (w, h), (255, 255, 255) if kind != "receipt" else (250, 248, 240))
        draw = ImageDraw.Draw(s)
        draw.text((60, 50), kind.upper(), font=_font(56), fill=(30, 60, 140))
        draw.rectangle((60, 140, w - 60, 146), fill=(30, 60, 140))
        rows = 14 if kind != "receipt" else 18
        for k in range(rows):
            y = 200 + k * (h - 400) // rows
            if kind == "form":
                draw.text((70, y), WORDS[k % len(WORDS)].title() + ":", font=_font(28), fill=ink)
                draw.rectangle((380, y - 6, w - 70, y + 40), outline=(120, 120, 120), width=2)
                draw.text(
                    (395, y), _words(rng, rng.randint(1, 4)), font=_font(28), fill=(0, 0, 120)
                )
            else:
                draw.text((70, y), _words(rng, rng.randint(1, 4)), font=_font(28), fill=ink)
                draw.text((w - 260, y), f"{rng.uniform(1, 999):8.2f}", font=_font(28), fill=ink)
                if kind == "invoice":
                    draw.line((60, y + 44, w - 60, y + 44), fill=(200, 200, 200), width=1)
        draw.text(
            (w - 420, h - 160), f"TOTAL {rng.uniform(100, 9999):9.2f}", font=_font(40), fill=ink
        )
        out.append(s)
    return out


def night(photo: Image.Image, rng: random.Random) -> Image.Image:
    """A near-black shot crushed to a few grey levels."""
    g = np.asarray(_rgb(photo).convert("L"), dtype=np.float32) / 255
    levels = rng.randint(3, 6)
    dark = (g**2.5) * rng.uniform(0.12, 0.25)
    q = np.floor(dark * 255 / (48 / levels)) * (48 / levels)
    tint = np.array([rng.uniform(0.8, 1.0), rng.uniform(0.8, 1.0), 1.0], dtype=np.float32)
    return Image.fromarray(np.clip(q[..., None] * tint, 0, 255).astype(np.uint8))


def backdrop(rng: random.Random, n: int) -> list[Image.Image]:
    """Different plain objects photographed on one seamless backdrop."""
    w, h = 1600, 1200
    base = np.array([rng.randint(170, 240)] * 3, dtype=np.float32) + np.array(
        [rng.uniform(-10, 10) for _ in range(3)], dtype=np.float32
    )
    y = np.linspace(0, 1, h, dtype=np.float32)[:, None, None]
    bg = Image.fromarray(
        np.clip(np.broadcast_to(base * (0.85 + 0.2 * y), (h, w, 3)), 0, 255).astype(np.uint8)
    )
    out = []
    for _ in range(n):
        s = bg.copy()
        draw = ImageDraw.Draw(s)
        cx, cy = w // 2 + rng.randint(-200, 200), h // 2 + rng.randint(-120, 120)
        rw, rh = rng.randint(150, 380), rng.randint(150, 380)
        colour = tuple(rng.randint(0, 200) for _ in range(3))
        draw.ellipse(
            (cx - rw, cy + rh - 30, cx + rw, cy + rh + 40), fill=tuple(int(v * 0.75) for v in base)
        )
        shape = rng.choice(("ellipse", "rectangle", "rounded", "triangle"))
        box = (cx - rw, cy - rh, cx + rw, cy + rh)
        if shape == "ellipse":
            draw.ellipse(box, fill=colour)
        elif shape == "rectangle":
            draw.rectangle(box, fill=colour)
        elif shape == "rounded":
            draw.rounded_rectangle(box, rw // 3, fill=colour)
        else:
            draw.polygon([(cx, cy - rh), (cx - rw, cy + rh), (cx + rw, cy + rh)], fill=colour)
        out.append(s.filter(ImageFilter.GaussianBlur(1.5)))
    return out


# -- writing -----------------------------------------------------------------------------------


def _load(path: str) -> Image.Image:
    with Image.open(path) as im:
        im = ImageOps.exif_transpose(im)
        im = _rgb(im.convert("RGBA") if im.mode in ("P", "LA") else im)
        if max(im.size) > LONG_SIDE:
            im.thumbnail((LONG_SIDE, LONG_SIDE), Image.Resampling.LANCZOS)
        return im.copy()


class Writer:
    def __init__(self, root: str, rng: random.Random) -> None:
        self.root = root
        self.rng = rng
        self.rows: list[dict[str, object]] = []
        self.count = 0

    def save(self, img: Image.Image, original_id: str, family: str, expected: str, params: str,
             fmt: str = "JPEG", quality: int = 92, negative_group: str = "") -> str:  # fmt: skip
        self.count += 1
        ext = {"JPEG": ".jpg", "PNG": ".png"}[fmt]
        rel = os.path.join("images", f"d{self.rng.randint(0, 15):x}", f"f{self.count:05d}{ext}")
        path = os.path.join(self.root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if fmt == "JPEG":
            img.save(path, "JPEG", quality=quality)
        else:
            img.save(path, "PNG")
        self.rows.append(
            {
                "file": rel,
                "original_id": original_id,
                "transform": family,
                "params": params,
                "expected_match": expected,
                "origin": "generated",
                "width": img.size[0],
                "height": img.size[1],
                "bytes": os.path.getsize(path),
                "hard_negative_group": negative_group,
                "similar_category": family if negative_group else "",
            }
        )
        return rel


def build(
    originals: str, out: str, seed: int, photos: int, per_family: int, lookalikes: int = 1
) -> dict[str, int]:
    """Write the corpus; ``lookalikes`` 2 adds the harder look-alike sets of
    ``bench.lookalike_sets`` after the first version's files, which stay as they were."""
    rng = random.Random(seed)
    files = sorted(
        os.path.join(originals, f)
        for f in os.listdir(originals)
        if f.lower().endswith(PHOTO_EXT) and os.path.isfile(os.path.join(originals, f))
    )
    rng.shuffle(files)
    chosen = files[:photos]
    writer = Writer(out, rng)
    edits = list(YES + OPTIONAL)
    # Every family gets ``per_family`` photos; each photo gets a few families.
    plan: dict[int, list[Callable[[Image.Image, random.Random], Variant]]] = {
        i: [] for i in range(len(chosen))
    }
    for edit in edits:
        for i in rng.sample(range(len(chosen)), min(per_family, len(chosen))):
            plan[i].append(edit)
    for i, path in enumerate(chosen):
        if not plan[i]:
            continue
        img = _load(path)
        oid = f"p{i:04d}"
        writer.save(img, oid, "original", "original", os.path.basename(path))
        for edit in plan[i]:
            v = edit(img, rng)
            writer.save(v.image, oid, v.family, v.expected, v.params, v.fmt, v.quality)
    negatives: list[tuple[str, list[str]]] = []  # (family, [(rel)])
    spare = files[photos:] or files

    def add_set(
        family: str, images: Sequence[Image.Image], fmt: str = "PNG", r: random.Random = rng
    ) -> None:
        group = f"{family}-{len(negatives)}"
        rels = []
        for k, img in enumerate(images):
            oid = f"{group}-{k}"
            rel = writer.save(img, oid, family, "original", "", fmt, 90, group)
            rels.append(rel)
            if r.random() < 0.3:  # a re-encoded copy of a look-alike is still a copy
                small = img.resize(
                    (int(img.size[0] * 0.75), int(img.size[1] * 0.75)), Image.Resampling.LANCZOS
                )
                writer.save(small, oid, family + " copy", "yes", "75% JPEG q80", "JPEG", 80, group)
        negatives.append((group, rels))

    for _ in range(4):
        add_set("slides", slides(rng, _load(rng.choice(spare)), 6), rng.choice(("PNG", "JPEG")))
    for _ in range(2):
        add_set("chat screenshots", chats(rng, 5))
    for _ in range(3):
        add_set("documents", documents(rng, 5), rng.choice(("PNG", "JPEG")))
    add_set("night shots", [night(_load(p), rng) for p in rng.sample(spare, 10)], "JPEG")
    for _ in range(2):
        add_set("backdrop", backdrop(rng, 5), "JPEG")
    if lookalikes >= 2:
        # Drawn from a generator of their own, so the files above do not change.
        from bench import lookalike_sets as hard_sets

        hard = random.Random(seed * 7919 + 2)
        writer.rng = hard
        for _ in range(2):
            photo = _load(hard.choice(spare))
            add_set("slides one word", hard_sets.slides_one_word(hard, photo, 5), "PNG", hard)
        add_set("chats one line", hard_sets.chats_one_line(hard, 5), "PNG", hard)
        add_set("forms small print", hard_sets.forms_small_print(hard, 5), "JPEG", hard)
        add_set("backdrop one place", hard_sets.backdrop_one_place(hard, 5), "JPEG", hard)

    by_file = {str(r["file"]): r for r in writer.rows}
    with open(os.path.join(out, "ground_truth.csv"), "w", newline="", encoding="utf-8") as f:
        wr = csv.DictWriter(f, fieldnames=list(writer.rows[0]))
        wr.writeheader()
        wr.writerows(writer.rows)
    with open(os.path.join(out, "hard_negatives.csv"), "w", newline="", encoding="utf-8") as f:
        wr2 = csv.writer(f)
        wr2.writerow(["file_a", "file_b", "original_id_a", "original_id_b", "category"])
        for group, rels in negatives:
            for a, b in itertools.combinations(rels, 2):
                wr2.writerow([a, b, by_file[a]["original_id"], by_file[b]["original_id"], group])
    counts: dict[str, int] = {}
    for r in writer.rows:
        counts[str(r["transform"])] = counts.get(str(r["transform"]), 0) + 1
    return counts


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("originals")
    parser.add_argument("out")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--photos", type=int, default=140, help="originals to edit")
    parser.add_argument("--per-family", type=int, default=24, help="photos per edit family")
    parser.add_argument(
        "--lookalikes",
        type=int,
        choices=(1, 2),
        default=1,
        help="1: the first look-alike sets; 2: also the harder ones (bench.lookalike_sets)",
    )
    args = parser.parse_args(argv)
    if os.path.exists(os.path.join(args.out, "ground_truth.csv")):
        parser.error(f"{args.out} already holds a corpus")
    counts = build(
        args.originals, args.out, args.seed, args.photos, args.per_family, args.lookalikes
    )
    for family, n in sorted(counts.items()):
        print(f"{family:20} {n}")
    print(f"{sum(counts.values())} files in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
