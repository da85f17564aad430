"""The scorecard PDF's compact font: what a PDF embeds and what that costs.

Read back the way a reader's viewer does (poppler's pdffonts and pdftotext).
The fetcher that lets the renderer load the font files, and nothing else, is
tested with the other fetcher tests in test_scorecard_render.py.
"""

from __future__ import annotations

import dataclasses
import io
import random
import re
import shutil
import subprocess
from base64 import b64encode

import pytest
from fontTools.ttLib import TTFont
from PIL import Image, ImageDraw

from reports.pdf import render_scorecard_pdf
from reports.scorecard_data import PhotoEvidence
from reports.scorecard_fonts import FONT_FILES
from reports.scorecard_render import render_scorecard_html
from reports.scorecard_samples import sample_scorecard

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdffonts") is None,
    reason="poppler-utils (pdftotext, pdffonts) not installed",
)

LANGS = ("zh-Hans", "en")
# In Noto Sans CJK SC but not in GB2312, so not in the compact font.
RARE_HANZI = "喆"
SIZE_LIMIT = 400_000


def embedded_fonts(pdf: bytes, tmp_path) -> set[str]:
    """The embedded fonts' names without the subset tag ("ABCDEF+")."""
    path = tmp_path / "card.pdf"  # pdffonts cannot read standard input
    path.write_bytes(pdf)
    result = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True)
    return {re.sub(r"^[A-Z]{6}\+", "", row.split()[0]) for row in result.stdout.splitlines()[2:]}


def pdf_text(pdf: bytes) -> str:
    result = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return result.stdout.decode("utf-8")


def print_photo(seed: int) -> str:
    """An 800 × 600 JPEG like a phone photo's print copy (~73 KB), as a data URI.

    Flat shapes alone compress to a few kilobytes; the grain brings the file to
    a real print copy's size. Deterministic for a seed.
    """
    rng = random.Random(seed)
    width, height = 800, 600
    image = Image.new("RGB", (width, height), tuple(rng.randint(180, 240) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, int(height * 0.68), width, height), fill=(150, 130, 110))
    for i in range(4):
        x = int(width * (0.08 + 0.23 * i))
        colour = tuple(rng.randint(40, 160) for _ in range(3))
        draw.rectangle((x, int(height * 0.28), x + int(width * 0.16), int(height * 0.68)), colour)
    grain = Image.frombytes("L", (width, height), rng.randbytes(width * height)).convert("RGB")
    image = Image.blend(image, grain, 0.07)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85, optimize=True)
    assert len(out.getvalue()) > 70_000  # else the size test below proves little
    return "data:image/jpeg;base64," + b64encode(out.getvalue()).decode("ascii")


@pytest.mark.parametrize("lang", LANGS)
def test_a_scorecard_embeds_only_the_compact_font_when_it_covers_the_text(lang, tmp_path):
    pdf = render_scorecard_pdf(sample_scorecard(lang))

    assert embedded_fonts(pdf, tmp_path) == {"Scorecard-Sans-SC", "Scorecard-Sans-SC-Bold"}


def test_a_character_the_compact_font_lacks_prints_from_the_full_noto_font(tmp_path):
    assert ord(RARE_HANZI) not in TTFont(FONT_FILES[400]).getBestCmap()
    card = dataclasses.replace(sample_scorecard("zh-Hans"), branch_name=f"上海陆家{RARE_HANZI}支行")

    pdf = render_scorecard_pdf(card)

    assert "Noto-Sans-CJK-SC-Bold" in embedded_fonts(pdf, tmp_path)
    assert f"上海陆家{RARE_HANZI}支行" in pdf_text(pdf)


@pytest.mark.parametrize("lang", LANGS)
def test_a_scorecard_with_three_print_photos_is_at_most_400_kb(lang):
    card = sample_scorecard(lang)
    card = dataclasses.replace(
        card,
        photos=tuple(
            PhotoEvidence(data_uri=print_photo(seed), caption=photo.caption)
            for seed, photo in enumerate(card.photos)
        ),
    )
    assert len(card.photos) == 3

    assert len(render_scorecard_pdf(card)) <= SIZE_LIMIT


def test_the_scorecard_html_names_no_font_file():
    # The same HTML is the web page: only the PDF renderer adds the @font-face rules.
    html = render_scorecard_html(sample_scorecard("en"))

    assert "@font-face" not in html
    assert "file:" not in html
