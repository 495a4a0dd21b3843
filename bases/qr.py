"""QR codes (segno), drawn on the server as SVG data: URLs: the Content-Security-Policy allows data:
images and nothing else inline, and a PDF renders them without fetching anything. One library for
both uses: the authenticator's setup code (two-factor sign-in) and the verification link printed on
every issued document."""

import io
from base64 import b64encode

import segno


def qr_svg(text: str, *, error: str = "m", border: int = 2) -> bytes:
    """`text` as a QR code: SVG, black modules on white, scalable (the page or the PDF sets the printed
    size)."""
    out = io.BytesIO()
    segno.make(text, error=error).save(
        out, kind="svg", xmldecl=False, svgns=True, scale=1, border=border, omitsize=True, light="#fff"
    )
    return out.getvalue()


def qr_svg_data_uri(text: str, *, error: str = "m", border: int = 2) -> str:
    """`text` as a QR code (qr_svg) in an SVG data URI."""
    return "data:image/svg+xml;base64," + b64encode(qr_svg(text, error=error, border=border)).decode()
