"""Printing many forms at once (the print dialog's engine).

A :class:`BatchJob` names the forms, the languages (each printed in turn, or
bilingual with ``lang2``), the paper, the number of copies, and where to write:
one PDF holding everything, or one PDF per language. Each file is written to a
temporary name and moved into place with ``os.replace``, so a cancelled or
failed batch never leaves half a PDF behind.

:func:`print_batch` runs on a worker thread: it reports ``progress(done, total,
what)`` after each form and stops between forms when ``cancel()`` is true (the
files already finished are kept and returned; a cancel raises nothing).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pypdf import PdfReader, PdfWriter

from focalpoint.fileio import write_atomic
from focalpoint.pdf.blank import FormOptions, blank_form_pdf
from focalpoint.pdf.document import PAPER_SIZES


@dataclass
class BatchJob:
    """Forms × languages to print into ``output``.

    With ``per_language`` each language goes to its own file, named
    ``<stem>-<lang><suffix>`` beside ``output``; otherwise all go into ``output``.
    A fillable form is one file per form and language (fields must have unique
    names), so ``fillable`` implies ``per_language`` and needs one schema per job.
    """

    schemas: Sequence[str]
    languages: Sequence[str]
    output: Path
    lang2: str | None = None
    paper: str = "a4"
    copies: int = 1
    fillable: bool = False
    per_language: bool = False
    on_missing: str = "raise"
    repeat: int | None = None

    def __post_init__(self) -> None:
        self.output = Path(self.output)
        if not self.schemas or not self.languages:
            raise ValueError("a print job needs at least one form and one language")
        if self.paper not in PAPER_SIZES:
            raise ValueError(f"unknown paper size {self.paper!r}")
        if self.copies < 1:
            raise ValueError("copies must be at least 1")
        if self.fillable:
            if len(self.schemas) > 1 or self.copies > 1:
                raise ValueError("a fillable PDF holds one form, once (its fields must have unique names)")
            if len(self.languages) > 1:
                self.per_language = True

    def targets(self) -> list[tuple[Path, list[str]]]:
        """(file, languages in it) for every file this job writes."""
        if self.per_language and len(self.languages) > 1:
            return [(self.output.with_name(f"{self.output.stem}-{lang}{self.output.suffix or '.pdf'}"), [lang])
                    for lang in self.languages]
        return [(self.output, list(self.languages))]


@dataclass
class BatchProgress:
    done: int = 0
    total: int = 0
    written: list[Path] = field(default_factory=list)


def _merge(parts: list[bytes], copies: int) -> bytes:
    if len(parts) == 1 and copies == 1:
        return parts[0]
    writer = PdfWriter()
    for _copy in range(copies):
        for data in parts:
            writer.append(PdfReader(io.BytesIO(data)))
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def print_batch(jobs: Sequence[BatchJob], *, progress: Callable[[int, int, str], None] | None = None,
                cancel: Callable[[], bool] | None = None) -> list[Path]:
    """Print every job; returns the files written (all of them unless cancelled)."""
    plan = [(job, path, langs) for job in jobs for path, langs in job.targets()]
    total = sum(len(job.schemas) * len(langs) for job, _path, langs in plan)
    state = BatchProgress(total=total)
    for job, path, langs in plan:
        parts: list[bytes] = []
        for lang in langs:
            for schema in job.schemas:
                if cancel is not None and cancel():
                    return state.written
                options = FormOptions(lang=lang, lang2=job.lang2, paper=job.paper, fillable=job.fillable,
                                      repeat=job.repeat, on_missing=job.on_missing)
                parts.append(blank_form_pdf(schema, options))
                state.done += 1
                if progress is not None:
                    progress(state.done, state.total, f"{schema} ({lang})")
        if cancel is not None and cancel():
            return state.written
        write_atomic(path, _merge(parts, job.copies))
        state.written.append(path)
    return state.written
