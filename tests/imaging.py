"""Small, deterministic, photo-like test images: gradients and shapes, never flat.

Flat images make dHash meaningless (every bit is noise), so tests that expect a match or a
miss need pictures with structure, like a photo's.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont


def photo(seed: int, size: tuple[int, int] = (192, 144)) -> Image.Image:
    """An RGB picture that differs clearly from other seeds and survives resizing."""
    rng = random.Random(seed)
    w, h = size
    img = Image.new("RGB", size)
    top = tuple(rng.randrange(256) for _ in range(3))
    bottom = tuple(rng.randrange(256) for _ in range(3))
    draw = ImageDraw.Draw(img)
    for y in range(h):
        t = y / max(1, h - 1)
        draw.line(
            [(0, y), (w, y)],
            fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)),
        )
    for _ in range(12):
        x0, y0 = rng.randrange(w), rng.randrange(h)
        x1, y1 = x0 + rng.randrange(w // 6, w // 2), y0 + rng.randrange(h // 6, h // 2)
        colour = tuple(rng.randrange(256) for _ in range(3))
        if rng.random() < 0.5:
            draw.ellipse([x0, y0, x1, y1], fill=colour)
        else:
            draw.rectangle([x0, y0, x1, y1], fill=colour)
    return img.filter(ImageFilter.GaussianBlur(1.5))


def textured(seed: int, size: tuple[int, int] = (400, 300)) -> Image.Image:
    """A photo-like picture with texture at every scale, as real photos have (the plain
    ``photo`` is smooth enough to count as a graphic, which the check judges more strictly)."""
    img = photo(seed, size)
    rng = np.random.default_rng(seed)
    coarse = rng.normal(0, 30, (size[1] // 6, size[0] // 6)).astype(np.float32)
    grain = np.asarray(Image.fromarray(coarse, mode="F").resize(size, Image.Resampling.BILINEAR))
    pixels = np.asarray(img, dtype=np.float64) + grain[..., None]
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def captioned(img: Image.Image, fill: tuple[int, int, int] | None = (0, 0, 0)) -> Image.Image:
    """``img`` with a caption bar over the bottom tenth, its words half the bar's height, as
    meme and share-sheet captions are (``fill`` None: words only, over what is there)."""
    out = img.copy()
    w, h = out.size
    bar = h // 10
    draw = ImageDraw.Draw(out)
    if fill is not None:
        draw.rectangle((0, h - bar, w, h), fill=fill)
    ink = (255, 255, 255) if fill is None or sum(fill) < 384 else (20, 20, 20)
    font = ImageFont.load_default(size=max(8, bar // 2))
    draw.text((w // 30, h - bar + bar // 4), "a caption over the bottom", font=font, fill=ink)
    return out


def vignetted(img: Image.Image, strength: float = 0.6) -> Image.Image:
    """``img`` darkened towards the corners, as a vignette filter does."""
    w, h = img.size
    yy, xx = np.mgrid[0:h, 0:w]
    r = np.hypot((xx - w / 2) / (w / 2), (yy - h / 2) / (h / 2)) / np.sqrt(2)
    gain = 1 - strength * np.clip((r - 0.35) / 0.65, 0, 1) ** 1.5
    pixels = np.asarray(img.convert("RGB"), dtype=np.float32) * gain[..., None]
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def save(img: Image.Image, path: Path, **params: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path, **params)
    return path


def jpeg_with_orientation(img: Image.Image, path: Path, orientation: int) -> Path:
    """Store ``img`` so that a viewer applying EXIF ``orientation`` shows it upright."""
    inverse = {
        3: Image.Transpose.ROTATE_180,
        6: Image.Transpose.ROTATE_90,
        8: Image.Transpose.ROTATE_270,
        2: Image.Transpose.FLIP_LEFT_RIGHT,
        4: Image.Transpose.FLIP_TOP_BOTTOM,
        5: Image.Transpose.TRANSPOSE,
        7: Image.Transpose.TRANSVERSE,
    }
    stored = img.transpose(inverse[orientation]) if orientation in inverse else img
    exif = Image.Exif()
    exif[0x0112] = orientation
    path.parent.mkdir(parents=True, exist_ok=True)
    stored.save(path, "JPEG", quality=92, exif=exif.tobytes())
    return path
