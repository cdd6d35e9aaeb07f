"""The feedback link's QR code and poster: what a phone's camera reads, what a ward wall shows."""

import io
import re

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from bot.views.poster import poster_pdf, qr_png

SHORT_URL = "http://localhost:3000/f/Ab3"
LONG_URL = "https://changebot.example-hospital.nhs.uk/f/" + "AbCdEfGhIjKlMnOp-_l1I0Oq" * 4
URL = "https://changebot.trust.nhs.uk/f/q7Xk2mP9vL4wR8tZ1nB6cD"
YOU_SAID_URL = URL + "/you-said-we-did"
A4_POINTS = (595.28, 841.89)
MILLIMETRE = 72 / 25.4  # points
_DRAWN_IMAGE = re.compile(rb"([\d.]+) 0 0 ([\d.]+) [\d.]+ [\d.]+ cm /I\d+ Do")


def _decoded(image: Image.Image) -> list[str]:
    return [code.text for code in zxingcpp.read_barcodes(image, formats=zxingcpp.QRCode)]


def _poster(**fields) -> PdfReader:
    values = {"project_name": "Discharge lounge", "url": URL, "you_said_url": YOU_SAID_URL}
    return PdfReader(io.BytesIO(poster_pdf(**(values | fields))))


def _text(poster: PdfReader, *, line_break: str = "") -> str:
    """The page's text as one line: by default for links, which the poster breaks after a slash."""
    return poster.pages[0].extract_text().replace("\n", line_break)


def _qr_side_mm(poster: PdfReader) -> float:
    content = poster.pages[0].get_contents()
    assert content is not None
    width, height = _DRAWN_IMAGE.search(content.get_data()).groups()
    assert width == height
    return float(width) / MILLIMETRE


@pytest.mark.parametrize("url", [SHORT_URL, LONG_URL], ids=["short", "long"])
def test_the_qr_code_reads_back_as_exactly_the_link(url):
    image = Image.open(io.BytesIO(qr_png(url)))

    assert _decoded(image) == [url]
    assert min(image.size) >= 1200


def test_the_qr_code_survives_a_scuffed_print():
    image = Image.open(io.BytesIO(qr_png(URL)))
    (code,) = zxingcpp.read_barcodes(image, formats=zxingcpp.QRCode)

    assert code.ec_level in {"Q", "H"}


def test_the_poster_is_one_a4_portrait_page_saying_where_to_answer_and_why_it_is_safe():
    poster = _poster(stage_title="Open the lounge at weekends")

    assert len(poster.pages) == 1
    box = poster.pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx(A4_POINTS, abs=1)
    text = _text(poster)
    assert "Discharge lounge" in text
    assert "Open the lounge at weekends" in text
    assert "changebot.trust.nhs.uk/f/q7Xk2mP9vL4wR8tZ1nB6cD" in text
    assert "https://" not in text
    assert "anonymous" in text
    assert "changebot.trust.nhs.uk/f/q7Xk2mP9vL4wR8tZ1nB6cD/you-said-we-did" in text


def test_a_project_named_in_urdu_prints_its_name_in_reading_order():
    assert "نیا وارڈ" in _text(_poster(project_name="نیا وارڈ", stage_title=None), line_break=" ")


@pytest.mark.parametrize("url", [SHORT_URL, LONG_URL], ids=["short", "long"])
def test_the_qr_code_on_the_poster_is_big_and_reads_back_as_the_link(url):
    poster = _poster(url=url, you_said_url=url + "/you-said-we-did")

    (picture,) = poster.pages[0].images
    assert _decoded(picture.image) == [url]
    assert _qr_side_mm(poster) >= 90
    assert url.removeprefix("https://").removeprefix("http://") in _text(poster)


@pytest.mark.parametrize(
    "name",
    [
        "x" * 200,
        ("Reducing waiting times in the discharge lounge " * 5)[:200],
        "🛏️ Ward 7 👩🏽‍⚕️ מחלקה שבע مرحبا \u202ehello\u202c \x07 漢字 ✅",
    ],
    ids=["200-letters", "200-characters-of-words", "emoji-right-to-left-and-controls"],
)
def test_any_name_fits_on_one_page_and_leaves_the_qr_code_scannable(name):
    poster = _poster(project_name=name, stage_title=name * 10, url=LONG_URL)

    assert len(poster.pages) == 1
    (picture,) = poster.pages[0].images
    assert _decoded(picture.image) == [LONG_URL]
    assert _qr_side_mm(poster) >= 60
    assert "anonymous" in _text(poster)


def test_a_long_name_is_shortened_visibly_rather_than_cut_off():
    name = ("Reducing waiting times in the discharge lounge " * 5)[:200]

    text = _text(_poster(project_name=name), line_break=" ")

    assert name[:40] in text
    assert "…" in text
