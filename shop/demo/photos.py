"""Generated product photos for the demo (no downloads): a colour field per
industry, a simple emblem and the product's initials."""

import hashlib
import io

from PIL import Image, ImageDraw, ImageFont, ImageOps

from shop.text import fold

PALETTES = {
    "I": ((46, 125, 50), (200, 230, 160)),  # food: greens
    "II": ((121, 38, 63), (236, 190, 170)),  # drinks: wine
    "III": ((40, 96, 120), (175, 220, 215)),  # herbs: teal
    "IV": ((30, 70, 140), (200, 215, 240)),  # handicrafts: blue
    "V": ((150, 60, 120), (245, 205, 225)),  # ornamental: orchid
    "VI": ((150, 100, 30), (245, 225, 170)),  # tourism: earth
}


def _font(size: int):
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow without FreeType
        return ImageFont.load_default()


def product_photo(name: str, industry: str, variant: int = 0, size: int = 900) -> bytes:
    dark, light = PALETTES.get(industry, PALETTES["I"])
    seed = int(hashlib.sha256(f"{name}{variant}".encode()).hexdigest()[:8], 16)
    shade = tuple(int(light[i] * 0.65 + dark[i] * 0.35) for i in range(3))
    gradient = Image.linear_gradient("L").resize((size, size))
    image = ImageOps.colorize(gradient, light, shade)
    draw = ImageDraw.Draw(image)
    r = size // 3 + seed % (size // 10)
    cx, cy = size // 2 + (seed % 60) - 30, size // 2 - 40
    draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=dark)
    draw.ellipse([cx - r + 24, cy - r + 24, cx + r - 24, cy + r - 24], outline=light, width=6)
    initials = "".join(w[0] for w in fold(name).split()[:3]).upper()
    font = _font(size // 5)
    box = draw.textbbox((0, 0), initials, font=font)
    draw.text(
        (cx - (box[2] - box[0]) / 2, cy - (box[3] - box[1]) / 2 - box[1]),
        initials,
        fill=light,
        font=font,
    )
    label = _font(size // 14)
    box = draw.textbbox((0, 0), "OCOP", font=label)
    draw.text(((size - (box[2] - box[0])) / 2, size - size // 6), "OCOP", fill=dark, font=label)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
