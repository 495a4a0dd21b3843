"""The printed forms (附表1–3) as PDF: an application's, or a blank one of a type, each rendered once.

A PDF is kept in the "documents" storage (bases/storage.py: the private folder, or the S3 bucket
every web node and worker shares) under a name made of the SHA-256 of what it shows
(paper.PaperForm.digest) and a fingerprint of the layout (template, stylesheet, WeasyPrint's
version). So an unchanged application is never rendered twice, by any process, after a restart or
on another node; a change of content or of layout makes a new file, and the application's older
files are removed then. The storage rather than the cache: Django's cache (Redis, or the database
table) may evict at any time and would hold megabytes per county in memory; a stored file is read
back in about a millisecond.
"""

import functools
import hashlib
import re
from dataclasses import dataclass
from importlib.metadata import version

from django.contrib.staticfiles import finders
from django.core.files.base import ContentFile
from django.template.loader import get_template, render_to_string

from .paper import PaperForm, blank_form, paper_form
from .pdf import render_pdf
from .storage import DOCUMENTS

TEMPLATE = "pdf/application_form.html"
STYLESHEET = "css/form-pdf.css"
FOLDER = "forms"


@functools.cache
def layout_fingerprint() -> str:
    """What else decides the bytes of a form: the template, the stylesheet, the layout's thresholds
    below and the renderer."""
    digest = hashlib.sha256(get_template(TEMPLATE).template.source.encode())
    with open(finders.find(STYLESHEET), "rb") as stylesheet:
        digest.update(stylesheet.read())
    digest.update(repr((NARRATIVE_LINE_CHARS, FIRST_PAGE_LINES, OPINION_KEPT_TOGETHER_CHARS)).encode())
    digest.update(version("weasyprint").encode())
    return digest.hexdigest()[:12]


# The narrative fills the rest of the first page, as on the paper, when it is short enough to end
# there: a minimum height on a block that runs onto the next page would hold for that page's piece
# too. Lines of the narrative cell at 12 pt, and how many the first page takes (4 or 5 rows above).
NARRATIVE_LINE_CHARS = 33
FIRST_PAGE_LINES = {4: 20, 5: 17}


def narrative_lines(text: str) -> int:
    """About how many lines the narrative takes (a Latin letter or digit half a Chinese character)."""
    lines = 0
    for paragraph in text.splitlines() or [""]:
        width = sum(0.5 if ord(c) < 0x2E80 else 1 for c in paragraph)
        lines += max(1, -(-int(width) // NARRATIVE_LINE_CHARS))
    return lines


# The three opinion cells stand together, as on the paper's second page, unless one is long enough to
# leave most of a page empty before them.
OPINION_KEPT_TOGETHER_CHARS = 300


def form_html(form: PaperForm) -> str:
    short = narrative_lines(form.narrative) <= FIRST_PAGE_LINES.get(len(form.rows), 17)
    together = all(len(opinion.text) <= OPINION_KEPT_TOGETHER_CHARS for opinion in form.opinions)
    return render_to_string(TEMPLATE, {"form": form, "fill_first_page": short, "opinions_together": together})


def render(form: PaperForm) -> bytes:
    """Render the form now (no cache): what the cache stores, and what the bench compares."""
    title = f"{form.form_number} {form.title}" + (f" {form.reference}" if form.reference else "")
    return render_pdf(form_html(form), title=title)


@dataclass(frozen=True)
class PrintedForm:
    form: PaperForm
    content: bytes
    rendered: bool  # False: read back from the storage


def _stored(form: PaperForm, folder: str) -> PrintedForm:
    """The PDF of `form` from the storage, rendered and stored first when it is not there; the
    folder's other PDFs (older contents or layouts of the same form) are removed then."""
    name = f"{FOLDER}/{folder}/{form.digest[:32]}-{layout_fingerprint()}.pdf"
    if DOCUMENTS.exists(name):
        with DOCUMENTS.open(name, "rb") as stored:
            return PrintedForm(form, stored.read(), rendered=False)
    content = render(form)
    saved = DOCUMENTS.save(name, ContentFile(content))
    if saved != name:  # another process stored the same form meanwhile: keep one
        DOCUMENTS.delete(saved)
    _, files = DOCUMENTS.listdir(f"{FOLDER}/{folder}")
    for stale in files:
        if f"{FOLDER}/{folder}/{stale}" != name:
            DOCUMENTS.delete(f"{FOLDER}/{folder}/{stale}")
    return PrintedForm(form, content, rendered=True)


def application_form_pdf(application) -> PrintedForm:
    """The application's form as it stands (paper.paper_form), from the storage when unchanged."""
    return _stored(paper_form(application), str(application.pk))


def blank_form_pdf(base_type: str) -> PrintedForm:
    """The blank form of a base type, for anyone to download."""
    return _stored(blank_form(base_type), f"blank-{base_type}")


UNSAFE_IN_FILENAMES = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')


def form_filename(application) -> str:
    """附表3-<单位名称>-<申报编号>.pdf: a name that says what the file is, safe on every system."""
    name = UNSAFE_IN_FILENAMES.sub("_", application.display_name).strip(" .") or "申报单位"
    return f"{application.spec.form_number}-{name}-{application.reference}.pdf"


def blank_filename(base_type: str) -> str:
    form = blank_form(base_type)
    return f"{form.form_number}-{form.title}（空白）.pdf"
