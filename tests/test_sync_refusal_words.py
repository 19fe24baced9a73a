"""A field the server refuses is named in the failed-change message as the form names it, in the
interface language, not by its property name (``contactOrganization``)."""

from __future__ import annotations

import pytest

from focalpoint import i18n
from focalpoint.sync.push import validation_problems


@pytest.fixture
def russian():
    i18n.set_language("ru")
    yield
    i18n.set_language("en")


def test_a_refused_field_is_named_by_its_label_in_the_interface_language(russian):
    # the answer the clearing-house (and focalpoint-hub) gives to an invalid save
    body = {"statusCode": 422, "code": "Error.InvalidDocument",
            "errors": [{"code": "Error.InvalidValue", "property": "contactOrganization"}]}
    words = validation_problems(body, "contact")
    assert "contactOrganization" not in words
    assert "Запись об организации" in words


def test_a_property_no_form_knows_keeps_its_name():
    body = {"errors": [{"code": "Error.Mandatory", "property": "somethingNew"}]}
    assert "somethingNew" in validation_problems(body, "contact")
