"""Printing speed and size: one form (target under 300 ms), 100 forms across the six languages
(target under 20 s), a one-page form's size (target under 250 KB). Medians."""

from __future__ import annotations

import io
import statistics
import time

LANGS = ("ar", "en", "es", "fr", "ru", "zh")


def _one_page_form():
    """The contact form's first section alone: a real one-page form."""
    from focalpoint.forms import load_form
    from focalpoint.forms.model import FormDefinition

    form = load_form("contact")
    return FormDefinition(schema=form.schema, version=form.version, national=form.national, label=form.label,
                          help=form.help, sections=form.sections[:1])


def main(results: dict) -> None:
    from pypdf import PdfReader

    from focalpoint.forms import schemas
    from focalpoint.pdf import FormOptions, blank, blank_form_pdf, booklet_pdf

    t0 = time.perf_counter()
    blank_form_pdf("capacityNeedsAssessment", FormOptions(lang="en"))
    results["first_form_in_process_ms"] = round((time.perf_counter() - t0) * 1000, 1)
    for lang in ("ar", "zh"):
        blank_form_pdf("capacityNeedsAssessment", FormOptions(lang=lang))  # warm the fonts

    per_lang, per_lang_cpu = {}, {}
    for lang in LANGS:
        times, cpu = [], []
        for _ in range(7):
            start, start_cpu = time.perf_counter(), time.process_time()
            blank_form_pdf("capacityNeedsAssessment", FormOptions(lang=lang))
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        per_lang[lang] = round(statistics.median(times) * 1000, 1)
        per_lang_cpu[lang] = round(statistics.median(cpu) * 1000, 1)
    results["one_form_capacityNeedsAssessment_8_pages_median_ms"] = per_lang
    results["one_form_median_ms_worst_language"] = max(per_lang.values())
    # the machine is shared: CPU time says what the code costs when the wall clock is noisy
    results["one_form_median_cpu_ms"] = per_lang_cpu

    jobs = [(s, lang) for lang in LANGS for s in schemas()]
    jobs = (jobs * 3)[:100]
    runs, cpu_runs = [], []
    pages = 0
    for _ in range(2):
        start, start_cpu = time.perf_counter(), time.process_time()
        pages = 0
        for schema, lang in jobs:
            data = blank_form_pdf(schema, FormOptions(lang=lang))
            pages += len(PdfReader(io.BytesIO(data)).pages)
        runs.append(time.perf_counter() - start)
        cpu_runs.append(time.process_time() - start_cpu)
    results["hundred_forms_six_languages_s"] = round(statistics.median(runs), 2)
    results["hundred_forms_cpu_s"] = round(statistics.median(cpu_runs), 2)
    results["hundred_forms_pages"] = pages

    original = blank.load_form
    blank.load_form = lambda schema: _one_page_form()
    try:
        sizes = {}
        for lang in LANGS:
            data = blank_form_pdf("contact", FormOptions(lang=lang))
            assert len(PdfReader(io.BytesIO(data)).pages) == 1
            sizes[lang] = round(len(data) / 1024, 1)
    finally:
        blank.load_form = original
    results["one_page_form_kb"] = sizes
    results["one_page_form_kb_largest"] = max(sizes.values())

    full = {lang: round(len(blank_form_pdf("capacityNeedsAssessment", FormOptions(lang=lang))) / 1024, 1)
            for lang in LANGS}
    results["capacityNeedsAssessment_8_pages_kb"] = full
    fill = {}
    for lang in ("en", "ar", "zh"):
        start = time.perf_counter()
        data = blank_form_pdf("capacityNeedsAssessment", FormOptions(lang=lang, fillable=True))
        fill[lang] = {"ms": round((time.perf_counter() - start) * 1000), "kb": round(len(data) / 1024)}
    results["fillable_capacityNeedsAssessment"] = fill

    for lang in ("en", "zh"):
        start = time.perf_counter()
        data = booklet_pdf(lang=lang)
        results[f"booklet_whole_{lang}"] = {"s": round(time.perf_counter() - start, 2),
                                            "kb": round(len(data) / 1024),
                                            "pages": len(PdfReader(io.BytesIO(data)).pages)}


if __name__ == "__main__":
    import json
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    out: dict = {}
    main(out)
    print(json.dumps(out, indent=1))
