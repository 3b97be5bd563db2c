"""Look-alikes for the edit corpus: different pictures that share a layout.

Slides on one background, chats of one app, forms of one template, night shots crushed to a
few grey levels and objects on one backdrop are what a near-duplicate finder must not group:
every picture made here is its own original.
"""

from __future__ import annotations

import random

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from bench.corpus_drawing import (
    WORDS,
    background,
    chat_bubbles,
    chat_screen,
    font,
    rgb,
    words,
)


def slides(rng: random.Random, photo: Image.Image, n: int) -> list[Image.Image]:
    """Title cards and bullet slides on one background, each with its own text."""
    kind = rng.choice(("gradient", "photo", "band", "solid"))
    size = rng.choice(((1920, 1080), (1280, 720), (1024, 768)))
    bg = background(kind, size, rng, photo)
    w, h = size
    light = np.asarray(bg.convert("L")).mean() > 128
    ink = (20, 20, 30) if light else (250, 250, 250)
    out = []
    for _ in range(n):
        s = bg.copy()
        draw = ImageDraw.Draw(s)
        title = words(rng, rng.randint(2, 4)).title()
        if rng.random() < 0.4:  # a title card
            draw.text((w // 2, h // 2), title, font=font(h // 10), fill=ink, anchor="mm")
            draw.text(
                (w // 2, h // 2 + h // 8),
                words(rng, 3),
                font=font(h // 24),
                fill=ink,
                anchor="mm",
            )
        else:
            draw.text((w // 12, h // 12), title, font=font(h // 14), fill=ink)
            for k in range(rng.randint(3, 6)):
                draw.text((w // 10, h // 4 + k * h // 10), "- " + words(rng, rng.randint(3, 7)),
                          font=font(h // 24), fill=ink)  # fmt: skip
        out.append(s)
    return out


def chats(rng: random.Random, n: int) -> list[Image.Image]:
    """Screenshots of one messaging layout with different conversations."""
    dark = rng.random() < 0.5
    return [
        chat_screen(dark, rng, lambda: words(rng, 2).title(), lambda: chat_bubbles(rng))
        for _ in range(n)
    ]


def documents(rng: random.Random, n: int) -> list[Image.Image]:
    """Invoices, forms or receipts of one template with different entries."""
    kind = rng.choice(("invoice", "form", "receipt"))
    w, h = (620, 1400) if kind == "receipt" else (1240, 1754)
    ink = (25, 25, 25)
    out = []
    for _ in range(n):
        s = Image.new("RGB", (w, h), (255, 255, 255) if kind != "receipt" else (250, 248, 240))
        draw = ImageDraw.Draw(s)
        draw.text((60, 50), kind.upper(), font=font(56), fill=(30, 60, 140))
        draw.rectangle((60, 140, w - 60, 146), fill=(30, 60, 140))
        rows = 14 if kind != "receipt" else 18
        for k in range(rows):
            y = 200 + k * (h - 400) // rows
            if kind == "form":
                draw.text((70, y), WORDS[k % len(WORDS)].title() + ":", font=font(28), fill=ink)
                draw.rectangle((380, y - 6, w - 70, y + 40), outline=(120, 120, 120), width=2)
                draw.text((395, y), words(rng, rng.randint(1, 4)), font=font(28), fill=(0, 0, 120))
            else:
                draw.text((70, y), words(rng, rng.randint(1, 4)), font=font(28), fill=ink)
                draw.text((w - 260, y), f"{rng.uniform(1, 999):8.2f}", font=font(28), fill=ink)
                if kind == "invoice":
                    draw.line((60, y + 44, w - 60, y + 44), fill=(200, 200, 200), width=1)
        draw.text(
            (w - 420, h - 160), f"TOTAL {rng.uniform(100, 9999):9.2f}", font=font(40), fill=ink
        )
        out.append(s)
    return out


def night(photo: Image.Image, rng: random.Random) -> Image.Image:
    """A near-black shot crushed to a few grey levels."""
    g = np.asarray(rgb(photo).convert("L"), dtype=np.float32) / 255
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
