"""The pure three-way merge: different fields merge, the same field is a conflict, per language."""

from __future__ import annotations

import copy
import random

import pytest

from focalpoint.sync.merge import (
    MISSING,
    UnresolvedFields,
    apply_choices,
    get_path,
    is_localized_map,
    merge3,
    merge_languages,
    set_path,
)

BASE = {
    "header": {"identifier": "ABCDEFGHIJK", "schema": "capacityBuildingInitiative", "languages": ["en", "fr"]},
    "government": {"identifier": "ws"},
    "title": {"en": "Marine spatial planning training", "fr": "Formation à la planification"},
    "description": {"en": "Three days in Apia.", "fr": "Trois jours à Apia."},
    "aichiTargets": [{"identifier": "AICHI-TARGET-11"}],
    "budget": 1000,
}


def edited(**changes):
    doc = copy.deepcopy(BASE)
    for path, value in changes.items():
        set_path(doc, path.replace("__", "."), value)
    return doc


def test_no_changes_is_the_base():
    result = merge3(BASE, BASE, BASE)
    assert result.document == BASE
    assert result.clean and not result.from_theirs and not result.from_mine


def test_edits_to_different_fields_merge():
    mine = edited(budget=2000)
    theirs = edited(aichiTargets=[{"identifier": "AICHI-TARGET-12"}])
    result = merge3(BASE, mine, theirs)
    assert result.clean
    assert result.document["budget"] == 2000
    assert result.document["aichiTargets"] == [{"identifier": "AICHI-TARGET-12"}]
    assert result.from_theirs == ["aichiTargets"]
    assert result.from_mine == ["budget"]


def test_different_languages_of_one_field_merge():
    mine = edited(title__en="Marine spatial planning workshop")
    theirs = edited(title__fr="Atelier de planification")
    result = merge3(BASE, mine, theirs)
    assert result.clean
    assert result.document["title"] == {"en": "Marine spatial planning workshop", "fr": "Atelier de planification"}
    assert result.from_theirs == ["title.fr"]
    assert result.from_mine == ["title.en"]


def test_same_language_of_same_field_is_a_conflict_that_keeps_mine():
    mine = edited(title__en="Mine")
    theirs = edited(title__en="Theirs", budget=5)
    result = merge3(BASE, mine, theirs)
    assert result.conflicts == ["title.en"]
    assert result.document["title"]["en"] == "Mine"
    assert result.document["budget"] == 5  # the rest still merged
    assert not result.clean


def test_same_change_on_both_sides_is_not_a_conflict():
    mine = edited(budget=7, title__en="Same")
    theirs = edited(budget=7, title__en="Same")
    result = merge3(BASE, mine, theirs)
    assert result.clean and result.document == mine


def test_non_localized_field_changed_on_both_sides_conflicts_as_a_whole():
    mine = edited(aichiTargets=[{"identifier": "AICHI-TARGET-1"}])
    theirs = edited(aichiTargets=[{"identifier": "AICHI-TARGET-2"}])
    result = merge3(BASE, mine, theirs)
    assert result.conflicts == ["aichiTargets"]


def test_added_and_removed_fields():
    mine = copy.deepcopy(BASE)
    mine["website"] = "https://example.org"
    theirs = copy.deepcopy(BASE)
    del theirs["budget"]
    result = merge3(BASE, mine, theirs)
    assert result.clean
    assert result.document["website"] == "https://example.org"
    assert "budget" not in result.document


def test_removed_on_one_side_changed_on_the_other_is_a_conflict():
    mine = copy.deepcopy(BASE)
    del mine["budget"]
    theirs = edited(budget=99)
    result = merge3(BASE, mine, theirs)
    assert result.conflicts == ["budget"]
    assert "budget" not in result.document  # mine kept until the person decides


def test_a_language_added_on_each_side_merges():
    mine = edited(title__es="Formación", header__languages=["en", "fr", "es"])
    theirs = edited(title__ru="Обучение", header__languages=["en", "fr", "ru"])
    result = merge3(BASE, mine, theirs)
    assert result.clean, result.conflicts
    assert result.document["title"]["es"] == "Formación"
    assert result.document["title"]["ru"] == "Обучение"
    assert result.document["header"]["languages"] == ["en", "fr", "es", "ru"]


def test_language_removed_on_one_side_is_removed():
    assert merge_languages(["en", "fr"], ["en"], ["en", "fr", "zh"]) == ["en", "zh"]


def test_localized_map_appearing_on_both_sides_merges_per_language():
    base = {"header": BASE["header"]}
    mine = {**base, "notes": {"en": "note"}}
    theirs = {**base, "notes": {"fr": "remarque"}}
    result = merge3(base, mine, theirs)
    assert result.clean
    assert result.document["notes"] == {"en": "note", "fr": "remarque"}


def test_no_base_merges_what_agrees_and_flags_what_differs():
    mine = {"header": {"identifier": "X"}, "title": {"en": "A"}, "budget": 1}
    theirs = {"header": {"identifier": "X"}, "title": {"en": "B"}, "budget": 1}
    result = merge3(None, mine, theirs)
    assert result.conflicts == ["title.en"]


def test_null_versus_absent_are_different_values():
    base = {"a": 1}
    mine = {"a": None}
    theirs = {"a": 1}
    result = merge3(base, mine, theirs)
    assert result.document == {"a": None} and result.clean


def test_is_localized_map():
    assert is_localized_map({"en": "x", "zh": None})
    assert not is_localized_map({"identifier": "ws"})
    assert not is_localized_map({})
    assert not is_localized_map({"en": 3})


def test_apply_choices_mine_theirs_and_value():
    mine = edited(title__en="Mine", budget=1, description__fr="Moi")
    theirs = edited(title__en="Theirs", budget=2, description__fr="Eux")
    result = merge3(BASE, mine, theirs)
    assert sorted(result.conflicts) == ["budget", "description.fr", "title.en"]
    resolved = apply_choices(result, mine, theirs, {"title.en": "theirs", "budget": "mine",
                                                    "description.fr": "Nous"})
    assert resolved["title"]["en"] == "Theirs"
    assert resolved["budget"] == 1
    assert resolved["description"]["fr"] == "Nous"
    assert resolved["title"]["fr"] == BASE["title"]["fr"]


def test_apply_choices_literal_word_and_removal():
    mine = copy.deepcopy(BASE)
    del mine["budget"]
    theirs = edited(budget=3, title__en="x")
    mine["title"]["en"] = "y"
    result = merge3(BASE, mine, theirs)
    resolved = apply_choices(result, mine, theirs, {"budget": "mine", "title.en": {"value": "mine"}})
    assert "budget" not in resolved
    assert resolved["title"]["en"] == "mine"


def test_apply_choices_requires_every_field():
    mine = edited(budget=1, title__en="a")
    theirs = edited(budget=2, title__en="b")
    result = merge3(BASE, mine, theirs)
    with pytest.raises(UnresolvedFields) as info:
        apply_choices(result, mine, theirs, {"budget": "mine"})
    assert info.value.fields == ["title.en"]


def test_get_and_set_path():
    doc = copy.deepcopy(BASE)
    assert get_path(doc, "title.fr") == BASE["title"]["fr"]
    assert get_path(doc, "nothing.en") is MISSING
    set_path(doc, "title.fr", MISSING)
    assert "fr" not in doc["title"]
    set_path(doc, "notes.en", "n")
    assert doc["notes"] == {"en": "n"}


def test_inputs_are_not_modified():
    base, mine, theirs = copy.deepcopy(BASE), edited(budget=1), edited(title__fr="z")
    snapshot = copy.deepcopy((base, mine, theirs))
    result = merge3(base, mine, theirs)
    result.document["title"]["en"] = "changed"
    assert (base, mine, theirs) == snapshot


FIELDS = ["budget", "aichiTargets", "title.en", "title.fr", "description.en", "description.fr", "website"]


def _random_edit(rng: random.Random, doc: dict, fields: list[str]) -> dict:
    out = copy.deepcopy(doc)
    for path in fields:
        roll = rng.random()
        set_path(out, path, MISSING if roll < 0.2 else f"{path}-{rng.randrange(3)}")
    return out


@pytest.mark.parametrize("seed", range(60))
def test_properties_on_random_edits(seed: int):
    """Merging is symmetric in what it decides, never loses a one-sided edit, never invents values."""
    rng = random.Random(seed)
    mine_fields = rng.sample(FIELDS, rng.randrange(len(FIELDS)))
    theirs_fields = rng.sample(FIELDS, rng.randrange(len(FIELDS)))
    mine = _random_edit(rng, BASE, mine_fields)
    theirs = _random_edit(rng, BASE, theirs_fields)
    result = merge3(BASE, mine, theirs)
    swapped = merge3(BASE, theirs, mine)
    assert sorted(result.conflicts) == sorted(swapped.conflicts)
    for path in FIELDS:
        b, m, t = get_path(BASE, path), get_path(mine, path), get_path(theirs, path)
        merged = get_path(result.document, path)
        if path in result.conflicts:
            assert m != t and m != b and t != b
            assert merged == m
        elif m == b:
            assert merged == t, path
        else:
            assert merged == m, path
    if result.clean:
        assert result.document == swapped.document
