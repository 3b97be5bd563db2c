"""Drawing shared by the edit corpus's copies and its look-alike sets.

Text, phone status bars, slide backgrounds and chat chrome are drawn the same way for a
copy (a photo inside a screenshot) and for a look-alike (two chats of one layout): one
implementation keeps the sets comparable when either changes. Every function draws from
the random generator it is given, in a fixed order, so a seed gives the same corpus.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import NamedTuple

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont, ImageOps

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


def font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=max(8, size))


def words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def rgb(img: Image.Image) -> Image.Image:
    return img.convert("RGB") if img.mode != "RGB" else img


def status_bar(draw: ImageDraw.ImageDraw, w: int, top: int, dark: bool, rng: random.Random) -> None:
    ink = (240, 240, 240) if dark else (20, 20, 20)
    draw.text(
        (40, top + 18), f"{rng.randint(7, 23)}:{rng.randint(10, 59)}", font=font(36), fill=ink
    )
    for k in range(3):
        draw.rectangle((w - 200 + k * 50, top + 24, w - 170 + k * 50, top + 54), fill=ink)


def background(
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
        bg = ImageOps.fit(rgb(photo), size).filter(ImageFilter.GaussianBlur(max(w, h) / 60))
        return Image.blend(bg, Image.new("RGB", size, (0, 0, 0)), 0.35)
    if kind == "band":
        out = Image.new("RGB", size, (245, 245, 245))
        ImageDraw.Draw(out).rectangle(
            (0, 0, w, h // 6), fill=tuple(rng.randint(0, 160) for _ in range(3))
        )
        return out
    return Image.new("RGB", size, tuple(rng.randint(0, 255) for _ in range(3)))


# -- one messaging app's screen, shared by the chat look-alike sets ---------------------------

CHAT_SIZE = (1080, 2340)


class Bubble(NamedTuple):
    """A message bubble: its box, whose side it sits on, and its lines of text."""

    x: int
    y: int
    width: int
    height: int
    mine: bool
    lines: tuple[str, ...]


def chat_bubbles(rng: random.Random) -> list[Bubble]:
    """A conversation filling the screen between the app's top and bottom bars."""
    w, h = CHAT_SIZE
    bubbles: list[Bubble] = []
    y = 280
    while y < h - 350:
        mine = rng.random() < 0.5
        count = rng.randint(1, 3)
        bw = rng.randint(300, 800)
        bh = 30 + 52 * count
        x = w - bw - 30 if mine else 30
        bubbles.append(Bubble(x, y, bw, bh, mine, tuple(words(rng, 4) for _ in range(count))))
        y += bh + rng.randint(20, 60)
    return bubbles


def chat_screen(
    dark: bool, clock: random.Random, header: Callable[[], str], bubbles: Callable[[], list[Bubble]]
) -> Image.Image:
    """The app's screen: top bar with the time from ``clock`` and the contact's name, bottom
    bar, and the bubbles. ``header`` and ``bubbles`` are asked for in that order, after the
    clock, so a set drawing them from one generator keeps its order of draws."""
    w, h = CHAT_SIZE
    mine, theirs = ((0, 92, 75), (38, 45, 49)) if dark else ((220, 248, 198), (255, 255, 255))
    ink = (233, 237, 239) if dark else (17, 27, 33)
    screen = Image.new("RGB", (w, h), (18, 18, 18) if dark else (236, 229, 221))
    draw = ImageDraw.Draw(screen)
    draw.rectangle((0, 0, w, 230), fill=(31, 44, 52) if dark else (0, 128, 105))
    status_bar(draw, w, 0, True, clock)
    draw.text((180, 120), header(), font=font(48), fill=(255, 255, 255))
    draw.rectangle((0, h - 150, w, h), fill=(31, 44, 52) if dark else (240, 240, 240))
    for b in bubbles():
        box = (b.x, b.y, b.x + b.width, b.y + b.height)
        draw.rounded_rectangle(box, 24, fill=mine if b.mine else theirs)
        for k, line in enumerate(b.lines):
            draw.text((b.x + 24, b.y + 18 + 52 * k), line, font=font(38), fill=ink)
    return screen
