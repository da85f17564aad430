"""Every string the pages mark for translation has its zh-Hans translation in the catalogue."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.utils import translation

TEMPLATES = Path(__file__).resolve().parents[2] / "front" / "templates"
TRANSLATE = re.compile(r"""\{% translate (["'])(.+?)\1""")
BLOCK = re.compile(
    r"\{% blocktranslate(?P<options>[^%]*)%\}(?P<text>.*?)\{% (?:endblocktranslate|plural)", re.S
)
VARIABLE = re.compile(r"\{\{ *(\w+) *\}\}")


def marked_strings() -> set[tuple[str, str]]:
    found = set()
    for template in TEMPLATES.rglob("*.html"):
        source = template.read_text()
        name = str(template.relative_to(TEMPLATES))
        found |= {(name, text) for _, text in TRANSLATE.findall(source)}
        for block in BLOCK.finditer(source):
            text = VARIABLE.sub(r"%(\1)s", block["text"])
            if "trimmed" in block["options"]:
                text = " ".join(text.split())
            found.add((name, text))
    return found


@pytest.mark.parametrize(("template", "text"), sorted(marked_strings()))
def test_it_has_a_chinese_translation(template, text):
    with translation.override("zh-hans"):
        assert translation.gettext(text) != text, f"{template}: {text!r} is not translated"
