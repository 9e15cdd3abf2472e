"""Path converters that accept only the identifiers they name, so that a stray character (a NUL
byte, a quote, a twenty-digit number) answers 404 before any query is made."""

from django.urls import register_converter


class _Converter:
    regex = ""

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value) -> str:
        return str(value)


class OrgNumberConverter(_Converter):
    """An organisationsnummer as the site writes it: NNNNNN-NNNN."""

    regex = r"[0-9]{6}-[0-9]{4}"


class LanCodeConverter(_Converter):
    """A county code (länskod): two digits."""

    regex = r"[0-9]{2}"


class KommunCodeConverter(_Converter):
    """A municipality code (kommunkod): four digits."""

    regex = r"[0-9]{4}"


class TokenConverter(_Converter):
    """A signed token (django.core.signing): URL-safe base64 and colons, bounded length."""

    regex = r"[A-Za-z0-9_\-:.]{1,512}"


register_converter(OrgNumberConverter, "orgnr")
register_converter(LanCodeConverter, "lan")
register_converter(KommunCodeConverter, "kommun")
register_converter(TokenConverter, "token")
