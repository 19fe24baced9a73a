"""The short-term action plan (2017–2020) of decision XIII/23, as shipped data in the local store.

``resources/action_plan/action_plan.json`` (made from the official Chinese text by
``tools/gen_action_plan.py``) is loaded into the catalogue tables on first start
and again whenever the shipped data changes (its hash is kept in ``meta``).
Translations made for the project live beside it in ``translations/<lang>.json``
and are merged in, marked as unofficial.

Functions take a ``Database`` or a ``Session`` and return plain data; call them
from the database worker thread or the CLI.

The package is split by concern: ``plan`` (the shipped files and the hash that decides a reload),
``overlays`` (merging translations into the plan), ``loading`` (filling the tables), ``search``
(the full-text index and search), ``translations`` (installing a person-supplied text),
``queries`` (reading the loaded catalogue) and ``exporting`` (the whole catalogue as JSON data);
the public names are re-exported here.
"""

from __future__ import annotations

from focalpoint.catalog.exporting import EXPORT_KEYS, export
from focalpoint.catalog.loading import META_HASH_KEY, ensure_catalog, load_into
from focalpoint.catalog.overlays import merge_translation
from focalpoint.catalog.plan import LOADER_VERSION, action_plan_dir, data_hash, load_plan, user_translations_dir
from focalpoint.catalog.queries import _partner_matches as _partner_matches  # the booklet's partner filter
from focalpoint.catalog.queries import (
    activity_detail,
    counts,
    glossary_entries,
    list_activities,
    official_languages,
    paragraphs,
    sections,
    target_groups,
)
from focalpoint.catalog.search import search_numbers
from focalpoint.catalog.translations import TranslationImportError, import_translation, translation_problems
from focalpoint.plan_read import META_OFFICIAL_KEY, ActivitySummary, Filters

__all__ = [
    "EXPORT_KEYS",
    "LOADER_VERSION",
    "META_HASH_KEY",
    "META_OFFICIAL_KEY",
    "ActivitySummary",
    "Filters",
    "TranslationImportError",
    "action_plan_dir",
    "activity_detail",
    "counts",
    "data_hash",
    "ensure_catalog",
    "export",
    "glossary_entries",
    "import_translation",
    "list_activities",
    "load_into",
    "load_plan",
    "merge_translation",
    "official_languages",
    "paragraphs",
    "search_numbers",
    "sections",
    "target_groups",
    "translation_problems",
    "user_translations_dir",
]
