"""Edits that make a copy of a photo, for the edit corpus (``bench.edit_corpus``).

``YES`` holds the edits a person calls a copy (trims up to ~10 %, overlays up to ~15 % of the
area, filters, vignettes, re-encodes); ``OPTIONAL`` the heavier ones (trims of 12-25 %, square
crops, borders, screenshots, straightened copies). Each edit draws its parameters from the
generator it is given and says them in the ``Variant``, so a lost pair can be traced to its
edit.
"""

from __future__ import annotations

import io
import math
import random
import typing
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageOps

from bench.corpus_drawing import WORDS, font, rgb, status_bar, words


@dataclass(frozen=True)
class Variant:
    image: Image.Image
    family: str
    expected: str
    params: str
    fmt: str = "JPEG"
    quality: int = 92


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
    draw.text((int(w * 0.04), h - bar + bar // 5), words(rng, 5), font=font(bar // 2), fill=text)
    out = Image.alpha_composite(out, layer).convert("RGB")
    return Variant(out, "caption", "yes", f"bottom {share:.0%} {style}")


def vignette(img: Image.Image, rng: random.Random) -> Variant:
    w, h = img.size
    strength = rng.uniform(0.45, 0.85)
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    r = np.sqrt(((x - w / 2) / (w / 2)) ** 2 + ((y - h / 2) / (h / 2)) ** 2) / math.sqrt(2)
    gain = 1 - strength * np.clip((r - 0.35) / 0.65, 0, 1) ** 1.5
    a = np.asarray(rgb(img), dtype=np.float32) * gain[..., None]
    out = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))
    return Variant(out, "vignette", "yes", f"strength {strength:.2f}")


def sticker(img: Image.Image, rng: random.Random) -> Variant:
    w, h = img.size
    area = rng.uniform(0.07, 0.13)
    side = int(math.sqrt(area * w * h))
    cx = rng.randint(side // 2, w - side // 2)
    cy = rng.randint(side // 2, h - side // 2)
    out = rgb(img).copy()
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
        draw.text((box[0] + side // 8, cy - side // 8), rng.choice(WORDS), font=font(side // 5),
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
    img = rgb(img)
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
    out = rgb(img)
    steps = rng.randint(3, 6)
    for _ in range(steps):
        buf = io.BytesIO()
        out.save(buf, "JPEG", quality=rng.randint(55, 85))
        buf.seek(0)
        out = Image.open(buf)
        out.load()
    return Variant(out, "jpeg chain", "yes", f"{steps} saves")


def cmyk(img: Image.Image, rng: random.Random) -> Variant:
    return Variant(rgb(img).convert("CMYK"), "cmyk", "yes", "CMYK JPEG")


def png16(img: Image.Image, rng: random.Random) -> Variant:
    a = np.asarray(rgb(img).convert("L"), dtype=np.uint16) * 257
    return Variant(Image.fromarray(a), "png 16-bit", "yes", "16-bit grey PNG", fmt="PNG")


def chat_reshare(img: Image.Image, rng: random.Random) -> Variant:
    side = rng.choice((1280, 960, 800))
    out = rgb(img).copy()
    out.thumbnail((side, side), Image.Resampling.BILINEAR)
    buf = io.BytesIO()
    out.save(buf, "JPEG", quality=rng.randint(60, 80))
    buf.seek(0)
    out = Image.open(buf)
    out.load()
    return Variant(out, "chat re-share", "yes", f"{side} px", quality=rng.randint(70, 85))


# -- heavier edits ("optional") ----------------------------------------------------------------


# -- heavier edits ("optional") ----------------------------------------------------------------


def straighten(img: Image.Image, rng: random.Random) -> Variant:
    angle = rng.uniform(2, 4) * rng.choice((-1, 1))
    w, h = img.size
    turned = rgb(img).rotate(angle, Image.Resampling.BICUBIC, expand=False)
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
        out = ImageOps.expand(rgb(img), pad, fill=colour)
        return Variant(out, "border", "optional", f"frame {pad}px {colour}")
    aspect = rng.choice((16 / 9, 1.0, 9 / 16, 4 / 5))
    canvas = (w, int(w / aspect)) if w / h > aspect else (int(h * aspect), h)
    out = Image.new("RGB", canvas, colour)
    out.paste(rgb(img), ((canvas[0] - w) // 2, (canvas[1] - h) // 2))
    return Variant(out, "border", "optional", f"letterbox to {aspect:.2f} {colour}")


def screenshot(img: Image.Image, rng: random.Random) -> Variant:
    w, h = 1080, rng.choice((2340, 2400, 1920))
    dark = rng.random() < 0.6
    bg = (0, 0, 0) if dark else (250, 250, 250)
    out = Image.new("RGB", (w, h), bg)
    draw = ImageDraw.Draw(out)
    status_bar(draw, w, 0, dark, rng)
    photo = rgb(img).copy()
    photo.thumbnail((w, int(h * 0.7)), Image.Resampling.LANCZOS)
    y = (h - photo.size[1]) // 2 + rng.randint(-60, 60)
    out.paste(photo, ((w - photo.size[0]) // 2, y))
    ink = (230, 230, 230) if dark else (40, 40, 40)
    if rng.random() < 0.7:  # viewer chrome: a title row and an action row
        draw.text((40, 130), words(rng, 2), font=font(44), fill=ink)
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
