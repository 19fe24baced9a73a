"""Filling FocalPoint's fillable PDFs as a PDF reader saves them (pypdf), for import tests. Any thread."""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader, PdfWriter


def fill_form(source: Path, values: dict[str, str], target: Path) -> Path:
    """Fill the form of ``source`` into ``target`` as a reader saves it: values in /V, check boxes and
    radios by their state name (no appearance regenerated). Returns ``target``."""
    writer = PdfWriter(clone_from=PdfReader(str(source)))
    for page in writer.pages:
        writer.update_page_form_field_values(page, values, auto_regenerate=False)
    with target.open("wb") as fh:
        writer.write(fh)
    return target
