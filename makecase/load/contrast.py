"""Load stage check: brand colours against WCAG 2.2 contrast, where the design uses them.

Also the one place a brand's missing colours are derived from its primary colour
(`full_brand`), so what is checked is what the pages show.
"""

from __future__ import annotations

from makecase.load.settings import Brand

WHITE = "#FFFFFF"
BLACK = "#000000"

# The default palette (NHS blue, dark blue, green, pale grey): what the default primary derives to.
DEFAULT_PRIMARY = "#005EB8"
DEFAULT_DERIVED = {"dark": "#003087", "accent": "#007F3B", "tint": "#E8EDEE"}

# (foreground, background, minimum ratio, where the design uses the pair). A name is a Brand
# field; a literal colour is fixed in the templates (the masthead's text is white).
PAIRS = (
    ("text", "background", 4.5, "body text"),
    ("primary", "background", 4.5, "links"),
    ("dark", "background", 4.5, "headings and key figures"),
    ("accent", "background", 4.5, "lever labels, small text"),
    (WHITE, "primary", 4.5, "masthead text on the primary colour"),
    ("text", "tint", 4.5, "'What you can do' text on the tint"),
    ("dark", "tint", 4.5, "'What you can do' heading on the tint"),
)


def _rgb(colour: str) -> tuple[int, int, int]:
    colour = colour.lstrip("#")
    return int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16)


def luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def ratio(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _mix(colour: str, target: str, amount: float) -> str:
    return "#" + "".join(f"{round(c + (t - c) * amount):02X}" for c, t in zip(_rgb(colour), _rgb(target)))


def nearest_passing(colour: str, against: str, minimum: float) -> str | None:
    """The closest shade of `colour` (mixed towards black or white) that passes against `against`."""
    best = None
    for target in ("#000000", WHITE):
        for step in range(1, 101):
            candidate = _mix(colour, target, step / 100)
            if ratio(candidate, against) >= minimum:
                if best is None or step < best[0]:
                    best = (step, candidate)
                break
    return best[1] if best else None


def _darkest_needed(colour: str, against: str, minimum: float, start: float) -> str:
    """`colour` mixed towards black by at least `start`, and further until it passes `minimum`."""
    for step in range(round(start * 100), 101):
        candidate = _mix(colour, BLACK, step / 100)
        if ratio(candidate, against) >= minimum:
            return candidate
    return BLACK


def full_brand(brand: Brand) -> Brand:
    """The brand with dark, accent and tint filled in: given, or derived from primary.

    Derived shades keep the primary's hue: dark is a deep shade for headings (7:1 on the
    background, AAA), accent a shade for labels and rules (at least 4.5:1), tint a pale wash
    for the 'What you can do' panel, light enough that text and headings keep 4.5:1 on it.
    """
    if brand.dark and brand.accent and brand.tint:
        return brand
    if brand.primary.upper() == DEFAULT_PRIMARY:
        derived = dict(DEFAULT_DERIVED)
    else:
        derived = {"dark": _darkest_needed(brand.primary, brand.background, 7.0, 0.45),
                   "accent": _darkest_needed(brand.primary, brand.background, 4.5, 0.15)}
        tint = brand.background
        for step in range(88, 101):
            tint = _mix(brand.primary, brand.background, step / 100)
            dark = brand.dark or derived["dark"]
            if ratio(brand.text, tint) >= 5.5 and ratio(dark, tint) >= 5.5:
                break
        derived["tint"] = tint
    return brand.model_copy(update={k: v for k, v in derived.items() if getattr(brand, k) is None})


def contrast_failures(brand: Brand) -> list[tuple[str, str, str, str, float, float, str, str | None]]:
    """Each failing pair: (field, colour, other field, other colour, ratio, minimum, uses, suggestion).

    A colour that fails against the same colour in several uses is one failure naming them all.
    """
    brand = full_brand(brand)
    failures: dict[tuple[str, str], list] = {}
    for fg, bg, minimum, use in PAIRS:
        fg_colour = getattr(brand, fg) if not fg.startswith("#") else fg
        bg_colour = getattr(brand, bg)
        value = ratio(fg_colour, bg_colour)
        if value + 1e-9 < minimum:
            # Suggest changing the brand's own colour: the foreground unless it is fixed white.
            change, keep, change_colour, keep_colour = (bg, fg, bg_colour, fg_colour) if fg.startswith("#") \
                else (fg, bg, fg_colour, bg_colour)
            key = (change, keep_colour.upper())
            if key in failures:
                failures[key][6] += f" and {use}"
                continue
            failures[key] = [change, change_colour, keep, keep_colour, value, minimum, use,
                             nearest_passing(change_colour, keep_colour, minimum)]
    return [tuple(f) for f in failures.values()]
