"""Printing: blank and fillable forms, record reports, the action-plan booklet, and reading
filled forms back. reportlab only; no Qt here.

Public API (see each module for details)::

    from focalpoint import pdf

    pdf.blank_form_pdf("capacityNeedsAssessment", pdf.FormOptions(lang="fr", lang2="en",
                       paper="letter", fillable=False)) -> bytes
    pdf.record_report_pdf(db, identifier, lang="ar") -> bytes
    pdf.booklet_pdf(lang="ru", flt=pdf.BookletFilter(section="B")) -> bytes
    pdf.print_batch([pdf.BatchJob(schemas=[...], languages=[...], output=path)],
                    progress=cb, cancel=fn) -> list[Path]
    pdf.import_filled_pdfs(db, paths) -> pdf.ImportReport
    pdf.MissingGlyphError      # a character no shipped font has (never dropped silently)

Text in every script is shaped by :mod:`focalpoint.pdf.text` (Arabic joined and
right to left, CJK line breaking) with the fonts of :mod:`focalpoint.pdf.fonts`.
What fillable fields show in which reader is documented in ``docs/pdf.md``.
"""

from __future__ import annotations

from focalpoint.fileio import write_atomic
from focalpoint.pdf.batch import BatchJob, print_batch
from focalpoint.pdf.blank import FormOptions, blank_form_pdf
from focalpoint.pdf.booklet import BookletFilter, booklet_pdf
from focalpoint.pdf.document import FormCode, form_code, parse_form_code
from focalpoint.pdf.fonts import GlyphReport, MissingGlyphError, covers
from focalpoint.pdf.importer import FileImport, ImportReport, import_filled_pdfs, read_filled_pdf
from focalpoint.pdf.report import record_report_pdf

__all__ = [
    "BatchJob", "BookletFilter", "FileImport", "FormCode", "FormOptions", "GlyphReport", "ImportReport",
    "MissingGlyphError", "blank_form_pdf", "booklet_pdf", "covers", "form_code", "import_filled_pdfs",
    "parse_form_code", "print_batch", "read_filled_pdf", "record_report_pdf", "write_atomic",
]
