"""Look-alikes with little to tell them apart: near-uniform pictures and photo-based sets.

A drive holds many pictures that carry almost no picture at all (a patch of sky, snow, a
white wall, a blank page, a shot taken in a pocket, an under-exposed night frame) and sets
made from one photo or one screen with a small part changed (memes on one template, phone
screenshots of different small photos). Every picture made here is its own original: two of
them are different pictures even where a person sees the same grey.
"""

from __future__ import annotations

import math
import random

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageOps

from bench.corpus_drawing import font, rgb, status_bar, words

Size = tuple[int, int]


def _noise(rng: random.Random, size: Size, blur: float) -> np.ndarray:
    """Smooth random texture in -1..1 (clouds, wall plaster, fabric)."""
    w, h = size
    g = np.random.default_rng(rng.randrange(2**32))
    small = (max(2, int(w / blur)), max(2, int(h / blur)))
    a = g.standard_normal((small[1], small[0])).astype(np.float32)
    img = Image.fromarray(((np.clip(a, -3, 3) + 3) * 42).astype(np.uint8))
    big = np.asarray(img.resize(size, Image.Resampling.BICUBIC), dtype=np.float32)
    return (big - 126) / 126


def _grain(rng: random.Random, size: Size, sigma: float) -> np.ndarray:
    g = np.random.default_rng(rng.randrange(2**32))
    return g.normal(0, sigma, (size[1], size[0], 1)).astype(np.float32)


def _image(a: np.ndarray) -> Image.Image:
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))


def sky(rng: random.Random, n: int) -> list[Image.Image]:
    """Shots of a blue sky with a few faint clouds: one colour ramp, each its own clouds."""
    size = rng.choice(((1600, 1200), (1200, 1600)))
    top = np.array([rng.randint(40, 90), rng.randint(100, 150), rng.randint(190, 240)], np.float32)
    low = np.minimum(top + np.array([90, 70, 20], np.float32), 250)
    out = []
    for _ in range(n):
        t = np.linspace(0, 1, size[1], dtype=np.float32)[:, None, None] ** rng.uniform(0.8, 1.3)
        ramp = top * (1 - t) + low * t
        clouds = np.clip(_noise(rng, size, rng.uniform(150, 300)), 0, 1)[..., None]
        a = ramp + clouds * rng.uniform(25, 60) + _grain(rng, size, 2)
        out.append(_image(np.broadcast_to(a, (size[1], size[0], 3))))
    return out


def snow(rng: random.Random, n: int) -> list[Image.Image]:
    """Snowfields: near-white, faint drifts, sometimes a far grey tree line."""
    size = (1600, 1067)
    base = np.array([rng.randint(225, 245)] * 3, np.float32) + np.array([-4, -1, 4], np.float32)
    out = []
    for _ in range(n):
        drifts = _noise(rng, size, rng.uniform(80, 200))[..., None] * rng.uniform(4, 10)
        a = np.broadcast_to(base, (size[1], size[0], 3)) + drifts + _grain(rng, size, 2.5)
        img = _image(a)
        if rng.random() < 0.5:
            d = ImageDraw.Draw(img)
            y = int(size[1] * rng.uniform(0.2, 0.4))
            pts = [(x, y + rng.randint(-12, 4)) for x in range(0, size[0] + 40, 40)]
            d.polygon([(0, y), *pts, (size[0], y)], fill=(150, 155, 160))
            img = img.filter(ImageFilter.GaussianBlur(2))
        out.append(img)
    return out


def white_wall(rng: random.Random, n: int) -> list[Image.Image]:
    """A white wall lit from one side: plaster texture and light fall-off, nothing else."""
    size = rng.choice(((1600, 1200), (1200, 1600)))
    tint = np.array(
        [rng.randint(228, 245), rng.randint(225, 240), rng.randint(215, 235)], np.float32
    )
    out = []
    w, h = size
    for _ in range(n):
        lx, ly = rng.uniform(-0.5, 1.5), rng.uniform(-0.5, 1.5)
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        r = np.hypot(xx / w - lx, yy / h - ly)
        light = (1 - rng.uniform(0.04, 0.12) * r)[..., None]
        plaster = _noise(rng, size, rng.uniform(3, 8))[..., None] * 3
        out.append(_image(tint * light + plaster + _grain(rng, size, 2)))
    return out


def blank_page(rng: random.Random, n: int) -> list[Image.Image]:
    """Blank pages scanned or photographed: white paper, a faint shadow at one edge."""
    size = (1240, 1754)
    out = []
    for _ in range(n):
        paper = rng.uniform(238, 252)
        a = np.full((size[1], size[0], 3), paper, np.float32)
        edge = rng.choice(("left", "top", "none"))
        if edge != "none":
            axis = np.linspace(0, 1, size[0] if edge == "left" else size[1], dtype=np.float32)
            shade = rng.uniform(10, 40) * np.exp(-axis / rng.uniform(0.02, 0.08))
            a -= shade[None, :, None] if edge == "left" else shade[:, None, None]
        a += _noise(rng, size, 40)[..., None] * rng.uniform(1, 3) + _grain(rng, size, 1.5)
        out.append(_image(a))
    return out


def pocket(rng: random.Random, n: int) -> list[Image.Image]:
    """Shots taken by accident in a pocket or bag: almost black, sensor noise, a faint blur of
    fabric colour."""
    size = rng.choice(((4032 // 3, 3024 // 3), (3024 // 3, 4032 // 3)))
    out = []
    for _ in range(n):
        colour = np.array([rng.uniform(0, 1) for _ in range(3)], np.float32)
        glow = np.clip(_noise(rng, size, rng.uniform(60, 200)), 0, 1)[..., None]
        level = rng.uniform(2, 10)
        a = level + glow * colour * rng.uniform(4, 16) + _grain(rng, size, rng.uniform(1, 3))
        out.append(_image(a))
    return out


def under_exposed(photo: Image.Image, rng: random.Random) -> Image.Image:
    """A night frame from a photo: most of it near black, the light parts a few levels up,
    sensor noise on top (the edit corpus's night shots are crushed to levels instead)."""
    p = rgb(photo).copy()
    p.thumbnail((1600, 1600))
    a = np.asarray(p, dtype=np.float32) / 255
    dark = (a ** rng.uniform(2.0, 3.0)) * rng.uniform(18, 40)
    return _image(dark + _grain(rng, p.size, rng.uniform(1, 2.5)))


def memes(rng: random.Random, photo: Image.Image, n: int) -> list[Image.Image]:
    """One meme template (a photo) with different top and bottom captions."""
    base = ImageOps.fit(rgb(photo), rng.choice(((800, 800), (1000, 750), (700, 900))))
    w, h = base.size
    out = []
    for _ in range(n):
        img = base.copy()
        d = ImageDraw.Draw(img)
        for y, anchor in ((h // 14, "ma"), (h - h // 14, "md")):
            if rng.random() < 0.85 or anchor == "md":
                text = words(rng, rng.randint(2, 3)).upper()
                size = h // 12
                while size > 12 and d.textlength(text, font=font(size)) > w * 0.94:
                    size -= 4
                d.text((w // 2, y), text, font=font(size), fill=(255, 255, 255),
                       anchor=anchor, stroke_width=max(2, h // 200),
                       stroke_fill=(0, 0, 0))  # fmt: skip
        out.append(img)
    return out


def small_photo_screens(rng: random.Random, photos: list[Image.Image]) -> list[Image.Image]:
    """Phone screenshots of one app showing a different small photo each (a feed post or a
    message with a picture): the chrome and text fill most of the screen."""
    w, h = 1080, 2340
    dark = rng.random() < 0.5
    bg = (0, 0, 0) if dark else (255, 255, 255)
    ink = (235, 235, 235) if dark else (30, 30, 30)
    side = rng.randint(300, 520)
    x0, y0 = rng.choice((40, (w - side) // 2)), rng.randint(500, 1200)
    clock = rng.random()
    caption = [words(rng, 5) for _ in range(6)]
    out = []
    for k, photo in enumerate(photos):
        img = Image.new("RGB", (w, h), bg)
        d = ImageDraw.Draw(img)
        status_bar(d, w, 0, dark, random.Random(clock))
        d.text((40, 150), "Feed", font=font(56), fill=ink)
        d.ellipse((40, y0 - 120, 130, y0 - 30), fill=(120, 120, 120))
        d.text((160, y0 - 100), words(random.Random(clock + k), 2), font=font(40), fill=ink)
        img.paste(ImageOps.fit(rgb(photo), (side, side)), (x0, y0))
        for j, line in enumerate(caption):
            d.text((40, y0 + side + 40 + j * 60), line, font=font(40), fill=ink)
        for j in range(5):
            x = 80 + j * 200
            d.ellipse((x, h - 160, x + 70, h - 90), outline=ink, width=5)
        out.append(img)
    return out


def turned_box(rng: random.Random, n: int) -> list[Image.Image]:
    """One box on one backdrop shot from slightly different angles (a turn of 2-6 degrees
    between shots): a judgement case, listed apart in the scores."""
    w, h = 1600, 1200
    grey = rng.randint(170, 230)
    y = np.linspace(0, 1, h, dtype=np.float32)[:, None, None]
    bg = _image(np.broadcast_to(grey * (0.85 + 0.2 * y), (h, w, 3)))
    colours = [tuple(rng.randint(30, 220) for _ in range(3)) for _ in range(3)]
    sx, sy, sz = rng.uniform(250, 350), rng.uniform(200, 300), rng.uniform(200, 300)
    yaw0 = rng.uniform(20, 40)
    out = []
    for k in range(n):
        yaw = math.radians(yaw0 + k * rng.uniform(2, 6))
        pitch = math.radians(-25)
        corners = [(x, yv, z) for x in (-sx, sx) for yv in (-sy, sy) for z in (-sz, sz)]
        seen = []
        for x, yv, z in corners:
            x, z = x * math.cos(yaw) - z * math.sin(yaw), x * math.sin(yaw) + z * math.cos(yaw)
            yv, z = (yv * math.cos(pitch) - z * math.sin(pitch),
                     yv * math.sin(pitch) + z * math.cos(pitch))  # fmt: skip
            seen.append((x, yv, z))
        img = bg.copy()
        d = ImageDraw.Draw(img)
        d.ellipse((w / 2 - 450, h / 2 + 200, w / 2 + 450, h / 2 + 330), fill=(grey // 2,) * 3)
        # each face as corner indices (bit 2: x, bit 1: y, bit 0: z) and its colour
        faces = [((0, 1, 3, 2), 0), ((4, 5, 7, 6), 0), ((0, 1, 5, 4), 1), ((2, 3, 7, 6), 2),
                 ((0, 2, 6, 4), 1), ((1, 3, 7, 5), 2)]  # fmt: skip
        for face, shade in sorted(faces, key=lambda f: -sum(seen[i][2] for i in f[0])):
            pts = [(w / 2 + seen[i][0] * 1800 / (1800 + seen[i][2]),
                    h / 2 - seen[i][1] * 1800 / (1800 + seen[i][2])) for i in face]  # fmt: skip
            d.polygon(pts, fill=colours[shade], outline=(20, 20, 20))
        out.append(img.filter(ImageFilter.GaussianBlur(1.2)))
    return out
