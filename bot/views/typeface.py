"""The typeface of changebot's PDFs: DejaVu, the fonts matplotlib ships.

    add_typeface(pdf)                               # Sans regular, bold, italic; Sans Mono bold
    pdf.set_font(FONT, "B", 12)
    pdf.cell(text=printable(pdf, name, style="B"))  # any text people typed, safe to draw

Embedding a font that comes with a dependency means text prints as typed
with no system font installed. What DejaVu cannot draw (emoji, most CJK)
prints as "?" instead of as nothing, and control characters are dropped.

Text in Arabic script (Arabic, Urdu, Farsi...) or Hebrew needs shaping: its
letters join, and it runs right to left. Drawn glyph by glyph it printed as
unjoined letters in reverse order, illegible, and copied out of the PDF
backwards. A PDF turns on harfbuzz's shaping (uharfbuzz) once it is given
such text: shaping doubles the time to draw text, so a PDF all in English
goes without.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path

import matplotlib
from fontTools.ttLib import TTFont
from fpdf import FPDF

FONT = "DejaVu"
MONO = "DejaVuMono"  # for links typed by hand: 0 and O, 1, l and I look different
_FILES = {
    (FONT, ""): "DejaVuSans.ttf",
    (FONT, "B"): "DejaVuSans-Bold.ttf",
    (FONT, "I"): "DejaVuSans-Oblique.ttf",
    (MONO, "B"): "DejaVuSansMono-Bold.ttf",
}
_RIGHT_TO_LEFT = frozenset({"R", "AL", "AN"})
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def add_typeface(pdf: FPDF) -> None:
    for (family, style), filename in _FILES.items():
        pdf.add_font(family, style, str(_font_directory() / filename))


def printable(pdf: FPDF, text: str, *, family: str = FONT, style: str = "") -> str:
    """Text ready to draw in `pdf`: no control characters, every glyph the font lacks
    replaced, and the PDF's shaping on from the first text that needs it."""
    glyphs = _glyphs(family, style)
    drawn = "".join(
        char if ord(char) in glyphs or char == "\n" else "?" for char in _CONTROL.sub("", text)
    )
    if any(_needs_shaping(char) for char in drawn):
        pdf.set_text_shaping(True)
    return drawn


def _needs_shaping(char: str) -> bool:
    """A letter of a right-to-left script, or a mark that sits on the letter before it."""
    return unicodedata.bidirectional(char) in _RIGHT_TO_LEFT or unicodedata.category(char) == "Mn"


@cache
def _glyphs(family: str, style: str) -> frozenset[int]:
    with TTFont(_font_directory() / _FILES[family, style]) as font:
        return frozenset(font.getBestCmap())


@cache
def _font_directory() -> Path:
    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"
