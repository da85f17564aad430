"""The scorecard PDF's own font: a compact subset of Noto Sans CJK SC, vendored.

Why not the system font alone: WeasyPrint subsets embedded fonts keeping every
glyph id up to the highest one a document uses (HarfBuzz's "retain gids"). In
Noto Sans CJK most hanzi, the English digits (its ``locl`` forms), "≤" and the
curly quotes sit at glyph ids near 60,000, so each weight the PDF embeds carried
~63,000 glyph slots, ~140 KB compressed even for an English card. The subset in
``reports/fonts/`` holds GB2312, Latin, punctuation and whatever the scorecard
itself prints, renumbered from 0, so the glyphs a card uses have small ids.

The system "Noto Sans CJK SC" stays next in the font stack: a character the
subset lacks (a rare hanzi in a branch name or a comment) still prints, in the
same design; only that PDF grows.

No WeasyPrint or Django import here: ``reports.pdf`` (the PDF engine's rules),
``reports.charts`` and ``scripts/build_scorecard_fonts.py`` (which writes the
files) all read these names.
"""

from __future__ import annotations

from pathlib import Path

FONT_DIR = Path(__file__).resolve().parent / "fonts"

# Renamed, as the SIL OFL asks of a modified version (see reports/fonts/README.md).
FAMILY = "Scorecard Sans SC"

# CSS font-weight -> the vendored file drawn for it.
FONT_FILES: dict[int, Path] = {
    400: FONT_DIR / "ScorecardSansSC-Regular.woff2",
    700: FONT_DIR / "ScorecardSansSC-Bold.woff2",
}


def font_face_css() -> str:
    """The @font-face rules that make FAMILY available to the PDF engine.

    Absolute file: URLs, built here because the checkout's location is only
    known at run time. Only the PDF renderer gets these rules (reports.pdf):
    the same HTML is served as a web page, where a server path has no business.
    """
    return "\n".join(
        f'@font-face {{ font-family: "{FAMILY}"; src: url("{path.as_uri()}") format("woff2"); '
        f"font-weight: {weight}; font-style: normal; }}"
        for weight, path in FONT_FILES.items()
    )
