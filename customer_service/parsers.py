"""Request body parsers for the API."""

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, with every undecodable body a 400.

    DRF maps ``ValueError`` (bad syntax, bad encoding) to ``ParseError``
    but lets ``RecursionError`` through: a few kilobytes of nested
    brackets would otherwise end in a 500.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - nested too deeply.") from None
