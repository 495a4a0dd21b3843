"""The documents the procedure issues, as PDF bytes: a template of templates/documents/ filled with
what the document states, its number and the QR code of its verification page, rendered by
bases.pdf.render_pdf with archival=True (PDF/A-2u with tags: fonts embedded and subset, text
extractable, nothing fetched over the network). What a document states, and where the bytes go, is
reviews.services' to decide."""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from bases.pdf import FONT_FAMILY, qr_src, render_pdf, stylesheet

# The cut face first (templates/documents/_style.css declares it), the full ones for what it lacks.
DOCUMENT_FONT_FAMILY = f'"Noto Serif CJK SC GB2312", {FONT_FAMILY}'


def verification_url(public_id: str) -> str:
    """The public page a document's QR code opens, at the address the public reaches the platform by
    (settings.PUBLIC_BASE_URL), whatever host the request that issued it came in on."""
    return settings.PUBLIC_BASE_URL + reverse("reviews:document-verify", args=[public_id])


def document_html(*, kind: str, title: str, reference: str, public_id: str, issued_at, context: dict) -> str:
    url = verification_url(public_id)
    return render_to_string(
        f"documents/{kind}.html",
        {
            **context,
            "title": title,
            "reference": reference,
            "issued_on": timezone.localtime(issued_at).date(),
            "verify_url": url,
            "qr": qr_src(url),
        },
    )


def document_stylesheet():
    """templates/documents/_style.css, parsed once per process (bases.pdf.stylesheet)."""
    return stylesheet(render_to_string("documents/_style.css", {"font_family": DOCUMENT_FONT_FAMILY}))


def document_render(html: str, title: str) -> bytes:
    """The PDF/A of a document's HTML: a pure function of its arguments, so it can run in another
    process (reviews.services.documents_rendered_aside)."""
    return render_pdf(html, archival=True, title=title, stylesheets=[document_stylesheet()])


def warm_up() -> None:
    """Load the renderer and the documents' fonts in a worker process before its first document."""
    document_render(render_to_string("documents/warm_up.html"), "")
