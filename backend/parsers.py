"""Request parsers: JSON with a depth limit.

Python's JSON decoder recurses once per nesting level, so a 2 KB body of a
thousand `[` is a RecursionError (a 500) before any view runs, and even a body
that parses would recurse again in the serializers. No request the API takes
nests deeper than a few levels, so anything past MAX_DEPTH is refused as
malformed (400).
"""

from __future__ import annotations

from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_DEPTH = 32


def json_depth_exceeds(value: object, limit: int) -> bool:
    """Whether arrays and objects nest more than `limit` levels; iterative, so never recursing."""
    stack = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth + 1 > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        too_deep = ParseError(f"JSON nested more than {MAX_DEPTH} levels deep.", code="too_deep")
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise too_deep from None
        if json_depth_exceeds(data, MAX_DEPTH):
            raise too_deep
        return data
