"""Build the scorecard PDF's compact font, "Scorecard Sans SC", into reports/fonts/.

Run from the repository root with the project's virtualenv (fontTools and brotli
come with WeasyPrint):

    .venv/bin/python scripts/build_scorecard_fonts.py

It reads Debian's fonts-noto-cjk (/usr/share/fonts/opentype/noto/NotoSansCJK-
{Regular,Bold}.ttc, face 2 = Simplified Chinese) and writes, for each weight, a
renamed subset as WOFF2, plus OFL.txt (the font's licence). The output is
committed: each weight takes about a minute to subset, too slow for bootstrap,
and a vendored file cannot change under us with a distribution upgrade. Run it
again only to change the character set or the source; the result is byte-for-
byte reproducible from the same fonts-noto-cjk and fontTools versions.

Why a subset at all: see reports/scorecard_fonts.py. What the subset keeps:

- the characters: every character of GB2312 (6,763 hanzi and its symbols),
  U+0020–U+024F (Basic Latin to Latin Extended-B), General Punctuation, arrows
  and mathematical operators, CJK symbols and punctuation, fullwidth forms, and
  any other character in the scorecard's templates, stylesheet, wording and
  charts (reports/) or in the checklist library (checklists/library/), so
  nothing the scorecard itself prints falls back to the system font;
- the layout features HarfBuzz applies to horizontal text by default that the
  font has (ccmp, locl, calt, liga, kern, mark; calt and mark have nothing left
  to do on these characters and are dropped by the subsetter), with the language systems
  scorecards are written in: the default one (English; its locl draws the
  digits in their Latin forms) and ZHS. Japanese, Korean and both traditional
  Chinese locl forms would add ~5,800 glyphs no scorecard shows;
- outlines without hints (PDF viewers rasterise without them, and WeasyPrint
  strips them on embedding anyway), no vertical metrics (nothing is set
  vertically), a drawn .notdef.

Glyphs are renumbered from 0, those a scorecard most likely prints first (see
likelihood_classes), and the CFF's CIDs renumbered to match (CID = glyph id, as
in the original): a PDF viewer looks a CID-keyed CFF glyph up by CID, while
WeasyPrint writes glyph ids into the page.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import subprocess
import sys
from pathlib import Path

from fontTools import subset
from fontTools.pens.boundsPen import BoundsPen
from fontTools.ttLib import TTFont
from fontTools.ttLib.reorderGlyphs import reorderGlyphs

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reports.scorecard_fonts import FAMILY, FONT_DIR, FONT_FILES  # noqa: E402

SOURCE_PACKAGE = "fonts-noto-cjk"
SOURCE_DIR = Path("/usr/share/fonts/opentype/noto")
# The .ttc face order is JP, KR, SC, TC, HK.
SOURCE_FACE = 2
SOURCES = {400: SOURCE_DIR / "NotoSansCJK-Regular.ttc", 700: SOURCE_DIR / "NotoSansCJK-Bold.ttc"}
STYLES = {400: "Regular", 700: "Bold"}
LICENCE_SOURCE = Path("/usr/share/doc/fonts-noto-cjk/copyright")

RANGES = (
    (0x0020, 0x024F),  # Basic Latin, Latin-1, Latin Extended-A and -B
    (0x2000, 0x206F),  # General Punctuation: dashes, curly quotes, …, ‰
    (0x2190, 0x22FF),  # arrows, mathematical operators (≤ ≥ ±)
    (0x3000, 0x303F),  # CJK symbols and punctuation: 、。《》【】
    (0xFF00, 0xFFEF),  # fullwidth forms: ，：（）
)
# Likeliest in a scorecard besides what its own files print (see likelihood_classes).
CORE_RANGES = (
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x00FF),  # Latin-1: · × ÷ ° and the accented letters of names
    (0x2010, 0x2027),  # dashes, curly quotes, …
    (0x3000, 0x3011),  # 、。〈〉《》「」『』【】
    (0xFF01, 0xFF5E),  # fullwidth ，：；！？（）
)
GB2312_LEVEL_1_ROWS = range(0xB0, 0xD8)
# The files whose text a scorecard prints: template, stylesheet (generated content),
# wording, charts, samples; the checklist library's item and factor names.
SCANNED = (
    ("reports", "**/*.py"),
    ("reports/templates", "**/*.html"),
    ("reports/static", "**/*.css"),
    ("checklists/library", "*.json"),
)
LAYOUT_FEATURES = ["ccmp", "locl", "calt", "liga", "kern", "mark"]
KEPT_LANGUAGES = {"ZHS "}  # besides each script's default language system
DROPPED_TABLES = ["vhea", "vmtx", "VORG"]


def gb2312(rows: range = range(0xA1, 0xF8)) -> set[int]:
    """Every character GB2312 encodes in ``rows`` (all: rows 0xA1–0xF7, cells 0xA1–0xFE)."""
    characters = set()
    for row in rows:
        for cell in range(0xA1, 0xFF):
            with contextlib.suppress(UnicodeDecodeError):  # an unassigned code
                characters.add(ord(bytes((row, cell)).decode("gb2312")))
    return characters


def scanned_characters() -> set[int]:
    characters = set()
    for folder, pattern in SCANNED:
        for path in sorted((ROOT / folder).glob(pattern)):
            characters.update(ord(c) for c in path.read_text(encoding="utf-8") if c >= " ")
    return characters


def wanted_characters() -> set[int]:
    characters = gb2312() | scanned_characters()
    for first, last in RANGES:
        characters.update(range(first, last + 1))
    return characters


def likelihood_classes(scanned: set[int]) -> list[set[int]]:
    """Characters by how likely a scorecard is to print them, most likely first.

    WeasyPrint embeds every glyph slot up to the highest glyph id a PDF uses
    (an empty one still costs ~2 bytes compressed), so the glyphs most cards
    use get the lowest ids: first what the scorecard's own files print, ASCII,
    Latin-1 and the common punctuation; then GB2312's level-1 hanzi (the 3,755
    in everyday use); then the rest. The first class takes ~1,300 glyph ids, the
    first two ~4,100: a card whose branch names, items and comments keep to them
    embeds at most that many slots per weight, not 7,900.
    """
    core = set(scanned)
    for first, last in CORE_RANGES:
        core.update(range(first, last + 1))
    level_1 = gb2312(GB2312_LEVEL_1_ROWS) - core
    return [core, level_1]


def package_version() -> str:
    result = subprocess.run(
        ["dpkg-query", "-W", "-f=${Version}", SOURCE_PACKAGE],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def keep_languages(font: TTFont) -> None:
    """Drop the language systems no scorecard is written in, so locl keeps only theirs."""
    for tag in ("GSUB", "GPOS"):
        for record in font[tag].table.ScriptList.ScriptRecord:
            script = record.Script
            script.LangSysRecord = [
                r for r in script.LangSysRecord if r.LangSysTag in KEPT_LANGUAGES
            ]
            script.LangSysCount = len(script.LangSysRecord)


def subset_font(source: Path, characters: set[int]) -> bytes:
    font = TTFont(source, fontNumber=SOURCE_FACE, recalcTimestamp=False)
    keep_languages(font)
    options = subset.Options()
    options.layout_features = LAYOUT_FEATURES
    options.drop_tables += DROPPED_TABLES
    options.notdef_outline = True
    options.hinting = False
    options.desubroutinize = True
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.recalc_timestamp = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=characters)
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def glyph_ranks(font: TTFont, classes: list[set[int]]) -> dict[str, int]:
    """Each glyph's likelihood class: its characters' best, or for a glyph only reached
    through a substitution (the Latin digits' locl forms, ligatures) its inputs' worst."""
    last = len(classes)
    ranks = dict.fromkeys(font.getGlyphOrder(), last)
    ranks[".notdef"] = -1
    for code, glyph in font.getBestCmap().items():
        rank = next((i for i, chars in enumerate(classes) if code in chars), last)
        ranks[glyph] = min(ranks[glyph], rank)
    edges = []  # (inputs, output)
    for lookup in font["GSUB"].table.LookupList.Lookup:
        for table in lookup.SubTable:
            table = getattr(table, "ExtSubTable", table)
            if hasattr(table, "ligatures"):
                for first, ligatures in table.ligatures.items():
                    edges += [([first, *lig.Component], lig.LigGlyph) for lig in ligatures]
            elif hasattr(table, "alternates"):
                edges += [([a], b) for a, alts in table.alternates.items() for b in alts]
            elif hasattr(table, "mapping"):
                for a, b in table.mapping.items():
                    edges += [([a], c) for c in ([b] if isinstance(b, str) else b)]
    changed = True
    while changed:
        changed = False
        for inputs, output in edges:
            rank = max(ranks[g] for g in inputs)
            if rank < ranks[output]:
                ranks[output], changed = rank, True
    return ranks


def order_by_likelihood(data: bytes, classes: list[set[int]]) -> bytes:
    """Renumber a subset's glyphs so the likeliest come first (see likelihood_classes)."""
    font = TTFont(io.BytesIO(data), recalcTimestamp=False)
    order = font.getGlyphOrder()
    ranks = glyph_ranks(font, classes)
    position = {glyph: gid for gid, glyph in enumerate(order)}
    reorderGlyphs(font, sorted(order, key=lambda glyph: (ranks[glyph], position[glyph])))
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def cids_by_glyph_id(data: bytes) -> TTFont:
    """Reopen a subset with each glyph's CID equal to its (new) glyph id.

    The subsetter keeps the original CIDs (glyph names "cid12519"), which no
    longer match the compacted glyph ids.
    """
    font = TTFont(io.BytesIO(data), recalcTimestamp=False)
    count = font["maxp"].numGlyphs
    order = [".notdef"] + [f"cid{gid:05d}" for gid in range(1, count)]
    # Before any other table is read, so cmap, hmtx, GSUB… decompile with the new names.
    font.setGlyphOrder(order)
    top = font["CFF "].cff.topDictIndex[0]
    charstrings = top.CharStrings.charStrings
    top.CharStrings.charStrings = {
        new: charstrings[old] for old, new in zip(top.charset, order, strict=True)
    }
    top.charset = order
    font.ensureDecompiled()  # now, with the new glyph order
    return font


def rename(font: TTFont, weight: int, version: str) -> None:
    """Give the subset its own name (SIL OFL 1.1, condition 3) and say where it came from."""
    style = STYLES[weight]
    postscript = FONT_FILES[weight].stem
    name = font["name"]
    source_version = name.getDebugName(5)
    # Keep the copyright, trademark, designers, URLs and licence; drop every other name
    # that says Noto, the Chinese-language ones included.
    name.names = [
        record
        for record in name.names
        if record.nameID in (0, 7, 8, 9, 11, 12, 13, 14) and record.langID == 0x409
    ]
    for name_id, text in (
        (1, FAMILY),
        (2, style),
        (3, f"{postscript};{SOURCE_PACKAGE} {version}"),
        (4, f"{FAMILY} {style}"),
        (5, f"{source_version}; subset by scripts/build_scorecard_fonts.py"),
        (6, postscript),
        (
            10,
            f"A subset of Noto Sans CJK SC {style} from Debian's {SOURCE_PACKAGE} {version}, "
            "renamed, for the branch scorecard PDFs.",
        ),
    ):
        name.setName(text, name_id, 3, 1, 0x409)
    cff = font["CFF "].cff
    cff.fontNames = [postscript]
    top = cff.topDictIndex[0]
    top.FullName = f"{FAMILY} {style}"
    top.FamilyName = FAMILY
    for fd in top.FDArray:
        fd.FontName = f"{postscript}-{fd.FontName.rsplit('-', 1)[-1]}"


def glyph_bounds(font: TTFont, glyph: str) -> tuple | None:
    pen = BoundsPen(font.getGlyphSet())
    font.getGlyphSet()[glyph].draw(pen)
    return pen.bounds


def check(source: Path, built: TTFont, characters: set[int]) -> None:
    """Every character draws the source's glyph: same advance, same outline extent."""
    original = TTFont(source, fontNumber=SOURCE_FACE, lazy=True)
    original_cmap, built_cmap = original.getBestCmap(), built.getBestCmap()
    missing = {c for c in characters if c in original_cmap} - set(built_cmap)
    if missing:
        raise SystemExit(f"{len(missing)} characters lost, e.g. {chr(min(missing))!r}")
    top = built["CFF "].cff.topDictIndex[0]
    if top.charset != [".notdef"] + [f"cid{gid:05d}" for gid in range(1, len(top.charset))]:
        raise SystemExit("CIDs do not equal glyph ids")
    for code, glyph in built_cmap.items():
        source_glyph = original_cmap[code]
        if built["hmtx"][glyph] != original["hmtx"][source_glyph] or glyph_bounds(
            built, glyph
        ) != glyph_bounds(original, source_glyph):
            raise SystemExit(f"U+{code:04X} does not draw the source's glyph")


def write_licence(copyright_notice: str) -> None:
    """OFL.txt: the copyright notice and the licence text, from the Debian package."""
    lines = LICENCE_SOURCE.read_text(encoding="utf-8").splitlines()
    start = lines.index("License: SIL-1.1", lines.index("Files: debian/*")) + 1
    body = []
    for line in lines[start:]:
        if not line.startswith(" "):
            break
        body.append("" if line == " ." else line[1:])
    text = "\n".join([copyright_notice, "", *body]).rstrip() + "\n"
    (FONT_DIR / "OFL.txt").write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args()
    version = package_version()
    characters = wanted_characters()
    classes = likelihood_classes(scanned_characters())
    print(f"{SOURCE_PACKAGE} {version}: {len(characters)} characters wanted")
    FONT_DIR.mkdir(exist_ok=True)
    for weight, source in SOURCES.items():
        font = cids_by_glyph_id(order_by_likelihood(subset_font(source, characters), classes))
        rename(font, weight, version)
        font.flavor = "woff2"
        font.save(FONT_FILES[weight])
        font = TTFont(FONT_FILES[weight])
        check(source, font, characters)
        size = FONT_FILES[weight].stat().st_size
        print(
            f"{FONT_FILES[weight].relative_to(ROOT)}: {font['maxp'].numGlyphs} glyphs, "
            f"{len(font.getBestCmap())} characters, {size:,} bytes"
        )
        notice = f"{font['name'].getDebugName(0)} {font['name'].getDebugName(7)}"
    write_licence(notice)


if __name__ == "__main__":
    main()
