"""The QR code and the A4 poster of a project's public feedback link (SPEC §7).

    png = qr_png(url)      # the link as a QR code, big enough to print
    pdf = poster_pdf(project_name=name, url=url, you_said_url=you_said, stage_title=None)

The poster goes on a ward wall, in a waiting room or on a reception desk:
black on white, type readable from a few steps away, the QR code as big as
the page allows, and the short link (the link without its scheme) beneath it,
in a face where 0 and O, 1, l and I differ, for people who type it by hand.
It says who reads the answers, where to see what was done about them, and
that they are anonymous: people say more, and more honestly, when they know.

Text of any length fits on the one page: a name shrinks, wraps onto a few
lines and, past that, is shortened with "…"; the QR code takes the height
the text leaves, so the page is drawn twice: once as a draft to measure the
text, then for real.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from io import BytesIO
from typing import cast

import segno
from fpdf import FPDF
from fpdf.enums import Align, MethodReturnValue

from bot.views.typeface import FONT, MONO, add_typeface, printable

INVITATION = "Tell us how we are doing"
HOW_TO_ANSWER = "Scan the code with your phone's camera, or type this link:"
WHO_READS = "Your answers are read by the team running this change."
WHERE_TO_SEE = "What they did about them is on “You said, we did”:"
ANONYMOUS = (
    "Your answers are anonymous. We do not ask for your name, your email or anything "
    "else that identifies you, and nothing that could identify you is kept."
)
_QR_ERROR_CORRECTION = "q"  # a quarter of a printed code can be scuffed or covered and still scan
_QR_QUIET_ZONE = 4  # modules of white around the code, as the standard asks
_QR_PNG_PIXELS = 1200  # about 10 cm at 300 dots an inch
_PAGE_HEIGHT = 297
_MARGIN = 15
_QR_LARGEST = 110
_GAP = 5


def qr_png(url: str) -> bytes:
    """The link as a black-and-white QR code, at least 1200 pixels wide with its quiet zone."""
    code = segno.make_qr(url, error=_QR_ERROR_CORRECTION)
    modules, _ = code.symbol_size(scale=1, border=_QR_QUIET_ZONE)
    png = BytesIO()
    code.save(png, kind="png", scale=math.ceil(_QR_PNG_PIXELS / modules), border=_QR_QUIET_ZONE)
    return png.getvalue()


def short_link(url: str) -> str:
    """The link as people type it: without `https://`, which browsers add themselves."""
    return url.split("://", 1)[-1]


def poster_pdf(
    *, project_name: str, url: str, you_said_url: str, stage_title: str | None = None
) -> bytes:
    """One A4 portrait page: who is asking, the invitation, the QR code, and what happens next."""
    poster = _Poster(project_name, stage_title, url, you_said_url)
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    add_typeface(pdf)
    pdf.set_margins(_MARGIN, _MARGIN, _MARGIN)
    pdf.set_auto_page_break(auto=True, margin=_MARGIN)
    pdf.set_title(f"{INVITATION}: {project_name}")
    pdf.set_lang("en-GB")
    pdf.add_page()
    with pdf.offset_rendering() as draft:
        _draw(cast(FPDF, draft), poster, qr_side=0)
        spare = _PAGE_HEIGHT - _MARGIN - draft.y
    qr_side = min(_QR_LARGEST, spare)
    pdf.set_y(_MARGIN + (spare - qr_side) / 2)
    _draw(pdf, poster, qr_side=qr_side)
    return bytes(pdf.output())


@dataclass(frozen=True)
class _Poster:
    project_name: str
    stage_title: str | None
    url: str
    you_said_url: str


def _draw(pdf: FPDF, poster: _Poster, *, qr_side: float) -> None:
    _fitted(pdf, poster.project_name, (40, 2), (34, 2), (28, 3), (24, 3), style="B")
    if poster.stage_title:
        _fitted(pdf, poster.stage_title, (24, 1), (20, 2), (16, 2))
    pdf.ln(_GAP)
    _fitted(pdf, INVITATION, (34, 1), style="B")
    _fitted(pdf, HOW_TO_ANSWER, (16, 2))
    pdf.ln(_GAP)
    if qr_side:
        pdf.image(BytesIO(qr_png(poster.url)), x=Align.C, w=qr_side, h=qr_side)
    pdf.ln(_GAP)
    _link(pdf, poster.url, (26, 22, 18, 16), wrapped=18)
    pdf.ln(_GAP * 2)
    _fitted(pdf, WHO_READS, (16, 2))
    pdf.ln(_GAP / 2)
    _fitted(pdf, WHERE_TO_SEE, (16, 2))
    _link(pdf, poster.you_said_url, (16, 14, 12), wrapped=14)
    pdf.ln(_GAP / 2)
    _fitted(pdf, ANONYMOUS, (16, 4), style="B")


def _link(pdf: FPDF, url: str, one_line: tuple[float, ...], *, wrapped: float) -> None:
    """The short link on one line in the largest size that fits, else broken after slashes.

    A link is never shortened: one that cannot be typed as printed is no use.
    """
    link = printable(pdf, short_link(url), family=MONO, style="B")
    for size in one_line:
        pdf.set_font(MONO, "B", size)
        if pdf.get_string_width(link) <= pdf.epw:
            break
    else:
        pdf.set_font(MONO, "B", wrapped)
        link = _broken_after_slashes(pdf, link)
    pdf.multi_cell(0, _line_height(pdf), link, align="C", new_x="LMARGIN", new_y="NEXT")


def _broken_after_slashes(pdf: FPDF, link: str) -> str:
    """The link in lines that each end at a slash where they can, so no word is cut."""
    lines = [""]
    for part in re.split("(?<=/)", link):
        if lines[-1] and pdf.get_string_width(lines[-1] + part) > pdf.epw:
            lines.append(part)
        else:
            lines[-1] += part
    return "\n".join(lines)


def _fitted(
    pdf: FPDF, text: str, *fits: tuple[float, int], family: str = FONT, style: str = ""
) -> None:
    """Text centred, at the first (size, lines) in which it takes at most that many lines.

    Text too long for the last one is shortened with "…" to fit it.
    """
    text = printable(pdf, " ".join(text.split()), family=family, style=style)
    for size, lines in fits:
        pdf.set_font(family, style, size)
        if _line_count(pdf, text) <= lines:
            break
    else:
        text = _shortened(pdf, text, lines)
    pdf.multi_cell(0, _line_height(pdf), text, align="C", new_x="LMARGIN", new_y="NEXT")


def _shortened(pdf: FPDF, text: str, lines: int) -> str:
    """The longest start of the text that, with "…", takes at most `lines` lines."""
    fits, too_long = 0, len(text)
    while too_long - fits > 1:
        middle = (fits + too_long) // 2
        if _line_count(pdf, text[:middle].rstrip() + "…") <= lines:
            fits = middle
        else:
            too_long = middle
    return text[:fits].rstrip() + "…"


def _line_count(pdf: FPDF, text: str) -> int:
    lines = pdf.multi_cell(0, _line_height(pdf), text, dry_run=True, output=MethodReturnValue.LINES)
    return len(cast(list[str], lines))


def _line_height(pdf: FPDF) -> float:
    """One and a fifth of the type's size, in millimetres."""
    return pdf.font_size * 1.2
