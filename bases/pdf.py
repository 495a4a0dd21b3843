"""One way to turn HTML into PDF: WeasyPrint in this process, fetching nothing from the network.

Every printout (the 附表 forms, the documents the bureau issues) goes through `render_pdf`:
- one `FontConfiguration` per process (a new one costs about 0.09 s a render, PDF-NOTES);
- a URL fetcher that refuses everything but the project's own static files (read from the
  finders or STATIC_ROOT, never over http), inline `data:` URLs and `qr:` ones (`qr_src`: a QR code
  drawn by the renderer), so user input that slips a `<img src="http://…">` into a page cannot make
  the server fetch it;
- `archival=True` for issued documents: PDF/A-2u with tags, so the file is fit for the archive and
  its text stays extractable.
The CJK font comes from Debian's fonts-noto-cjk (the Makefile's system packages); fontconfig finds
it by family name and WeasyPrint embeds a subset of it.
"""

import atexit
import functools
import mimetypes
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders

from .qr import qr_svg

FONT_FAMILY = '"Noto Serif CJK SC", "Noto Sans CJK SC", serif'
ARCHIVAL_VARIANT = "pdf/a-2u"
BASE_URL = "http://static.local/"


QR_SCHEME = "qr:"


def qr_src(text: str) -> str:
    """An image URL the renderer answers with the QR code of `text` (bases.qr.qr_svg): the code is drawn
    where the PDF is rendered (a worker process, for the documents seed_demo issues), not where its HTML
    is made."""
    return QR_SCHEME + quote(text, safe="")


class RefusedFetch(ValueError):
    """A URL the renderer may not fetch."""


def static_path(url):
    """The file on disk behind a static URL of this project, or None."""
    parts = urlsplit(url)
    if parts.scheme not in ("", "file") and not (parts.scheme in ("http", "https") and parts.netloc == "static.local"):
        return None
    prefix = settings.STATIC_URL
    path = unquote(parts.path)
    if not path.startswith(prefix):
        return None
    relative = path[len(prefix) :]
    if not relative or ".." in Path(relative).parts:
        return None
    found = finders.find(relative)
    if found:
        return Path(found)
    candidate = Path(settings.STATIC_ROOT) / relative
    return candidate if candidate.is_file() else None


def url_fetcher():
    """WeasyPrint's fetcher (a new one per render: it keeps per-request state): `data:` URLs and
    the project's static files; everything else refused, so a render never touches the network."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnly(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            if url.startswith(QR_SCHEME):
                return URLFetcherResponse(
                    url, qr_svg(unquote(url[len(QR_SCHEME) :])), {"Content-Type": "image/svg+xml"}
                )
            path = static_path(url)
            if path is None:
                raise RefusedFetch(f"打印时不读取外部资源：{url[:200]}")
            mime_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime_type})

    return StaticOnly(allowed_protocols=("data", "http", "https", "file"))


@functools.cache
def font_configuration():
    from weasyprint.text.fonts import FontConfiguration

    # Released while the interpreter is whole: at shutdown its clean-up would find its module emptied.
    atexit.register(_release)
    return FontConfiguration()


_stylesheets = {}


def stylesheet(css):
    """The stylesheet `css`, parsed once per process, to be given to render_pdf again and again (parsing
    the documents' one is about a fifth of a render); its @font-face rules are loaded into the process's
    FontConfiguration."""
    from weasyprint import CSS

    if css not in _stylesheets:
        _stylesheets[css] = CSS(
            string=css, base_url=BASE_URL, url_fetcher=url_fetcher(), font_config=font_configuration()
        )
    return _stylesheets[css]


def _release():
    _stylesheets.clear()
    font_configuration.cache_clear()


def render_pdf(html, *, archival=False, title=None, stylesheets=()):
    """The PDF bytes of `html` (a complete document), styled by its own <style> and `stylesheets`
    (made by `stylesheet`). Static files are referred to as `{% static %}` URLs; the base URL makes
    them resolvable without a server."""
    from weasyprint import HTML

    options = {"pdf_variant": ARCHIVAL_VARIANT, "pdf_tags": True} if archival else {}
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=url_fetcher()).render(
        font_config=font_configuration(), stylesheets=list(stylesheets)
    )
    if title:
        document.metadata.title = title
    return document.write_pdf(**options)
