"""Harder look-alikes for the edit corpus (``bench.edit_corpus --lookalikes 2``).

The first look-alike sets of the edit corpus differ a lot inside one layout: each slide of a
set has its own title and bullets, each chat its own conversation, each form entries in text
as large as the labels. A real drive also holds what differs little: a deck's build-up
slides (one word or one bullet apart), a conversation screenshotted again after one more
message, forms filled in small print, product shots of different objects at one place on one
backdrop. These sets hold those, each member its own picture. They are drawn from their own
random generator after the first corpus is written, so the files of a seed's first version
stay as they were.
"""

from __future__ import annotations

import random

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from bench.corpus_drawing import (
    WORDS,
    Bubble,
    background,
    chat_bubbles,
    chat_screen,
    font,
    words,
)


def _one_word_changed(rng: random.Random, line: str) -> str:
    """``line`` with one of its words replaced by another."""
    words = line.split()
    k = rng.randrange(len(words))
    words[k] = rng.choice([w for w in WORDS if w != words[k].lower()])
    return " ".join(words)


def slides_one_word(rng: random.Random, photo: Image.Image, n: int) -> list[Image.Image]:
    """A deck's slides that share the background and all of their text but one word: a
    bullet slide with one word of one bullet changed, or a title card with one word of the
    title changed (two members then differ by one or two words)."""
    kind = rng.choice(("gradient", "photo", "band", "solid"))
    size = rng.choice(((1920, 1080), (1280, 720), (1024, 768)))
    bg = background(kind, size, rng, photo)
    w, h = size
    light = np.asarray(bg.convert("L")).mean() > 128
    ink = (20, 20, 30) if light else (250, 250, 250)
    card = rng.random() < 0.4
    title = words(rng, rng.randint(2, 4)).title()
    bullets = ["- " + words(rng, rng.randint(3, 7)) for _ in range(rng.randint(3, 6))]
    out: list[Image.Image] = []
    seen: set[tuple[str, ...]] = set()
    while len(out) < n:
        text: tuple[str, ...]
        if card:
            text = (_one_word_changed(rng, title).title(), bullets[0][2:])
        else:
            lines = list(bullets)
            k = rng.randrange(len(lines))
            lines[k] = "- " + _one_word_changed(rng, lines[k][2:])
            text = (title, *lines)
        if text in seen:
            continue
        seen.add(text)
        s = bg.copy()
        draw = ImageDraw.Draw(s)
        if card:
            draw.text((w // 2, h // 2), text[0], font=font(h // 10), fill=ink, anchor="mm")
            draw.text((w // 2, h // 2 + h // 8), text[1], font=font(h // 24), fill=ink, anchor="mm")
        else:
            draw.text((w // 12, h // 12), text[0], font=font(h // 14), fill=ink)
            for k, line in enumerate(text[1:]):
                draw.text((w // 10, h // 4 + k * h // 10), line, font=font(h // 24), fill=ink)
        out.append(s)
    return out


def chats_one_line(rng: random.Random, n: int) -> list[Image.Image]:
    """One conversation screenshotted several times, each time with one line of one message
    different (the bubbles keep their places)."""
    dark = rng.random() < 0.5
    bubbles = chat_bubbles(rng)
    header = words(rng, 2).title()
    clock = random.Random(rng.random())
    out: list[Image.Image] = []
    for _ in range(n):
        k = rng.randrange(len(bubbles))
        j = rng.randrange(len(bubbles[k].lines))

        def edited(k: int = k, j: int = j) -> list[Bubble]:
            return [
                b._replace(
                    lines=tuple(
                        words(rng, 4) if (i, m) == (k, j) else t for m, t in enumerate(b.lines)
                    )
                )
                for i, b in enumerate(bubbles)
            ]

        out.append(chat_screen(dark, random.Random(clock.random()), lambda: header, edited))
    return out


def forms_small_print(rng: random.Random, n: int) -> list[Image.Image]:
    """Forms of one template filled in small print (14-20 px on a 1240x1754 page: 1-2 px at
    128x128), labels and boxes shared."""
    w, h = 1240, 1754
    size = rng.randint(14, 20)
    ink = (25, 25, 25)
    rows = 14
    out: list[Image.Image] = []
    for _ in range(n):
        s = Image.new("RGB", (w, h), (255, 255, 255))
        draw = ImageDraw.Draw(s)
        draw.text((60, 50), "FORM", font=font(56), fill=(30, 60, 140))
        draw.rectangle((60, 140, w - 60, 146), fill=(30, 60, 140))
        for k in range(rows):
            y = 200 + k * (h - 400) // rows
            draw.text((70, y), WORDS[k % len(WORDS)].title() + ":", font=font(28), fill=ink)
            draw.rectangle((380, y - 6, w - 70, y + 40), outline=(120, 120, 120), width=2)
            draw.text((395, y + 8), words(rng, rng.randint(1, 4)), font=font(size), fill=ink)
        out.append(s)
    return out


def backdrop_one_place(rng: random.Random, n: int) -> list[Image.Image]:
    """Different objects of about one size at one place on one seamless backdrop (a product
    shoot): only their outlines and tones differ."""
    w, h = 1600, 1200
    base = np.array([rng.randint(170, 240)] * 3, dtype=np.float32)
    y = np.linspace(0, 1, h, dtype=np.float32)[:, None, None]
    bg = Image.fromarray(
        np.clip(np.broadcast_to(base * (0.85 + 0.2 * y), (h, w, 3)), 0, 255).astype(np.uint8)
    )
    cx, cy = w // 2 + rng.randint(-100, 100), h // 2 + rng.randint(-60, 60)
    rw, rh = rng.randint(200, 320), rng.randint(200, 320)
    shapes = ["ellipse", "rectangle", "rounded", "triangle", "diamond"]
    rng.shuffle(shapes)
    out: list[Image.Image] = []
    for k in range(n):
        s = bg.copy()
        draw = ImageDraw.Draw(s)
        colour = tuple(rng.randint(0, 200) for _ in range(3))
        draw.ellipse(
            (cx - rw, cy + rh - 30, cx + rw, cy + rh + 40), fill=tuple(int(v * 0.75) for v in base)
        )
        box = (cx - rw, cy - rh, cx + rw, cy + rh)
        shape = shapes[k % len(shapes)]
        if shape == "ellipse":
            draw.ellipse(box, fill=colour)
        elif shape == "rectangle":
            draw.rectangle(box, fill=colour)
        elif shape == "rounded":
            draw.rounded_rectangle(box, rw // 3, fill=colour)
        elif shape == "triangle":
            draw.polygon([(cx, cy - rh), (cx - rw, cy + rh), (cx + rw, cy + rh)], fill=colour)
        else:
            draw.polygon([(cx, cy - rh), (cx - rw, cy), (cx, cy + rh), (cx + rw, cy)], fill=colour)
        out.append(s.filter(ImageFilter.GaussianBlur(1.5)))
    return out
