"""?page_size= is checked like any other input (api/pagination.py)."""

from __future__ import annotations

import pytest

from tests.factories import PatientFactory, link

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("size", ["null", "0", "-420", "2.5", "ten"])
def test_a_page_size_that_is_not_a_whole_number_from_1_is_a_400_naming_it(cast, size):
    response = cast.client("bob").call("GET", f"/api/v1/patients?page_size={size}")
    assert response.status_code == 400, response.json_body
    assert list(response.json_body["errors"]) == ["page_size"]


def test_page_sizes_are_honoured_up_to_the_maximum(cast):
    for patient in PatientFactory.create_batch(2):
        link(patient, cast.bob)
    api = cast.client("bob")
    assert len(api.call("GET", "/api/v1/patients?page_size=2").json_body["results"]) == 2
    assert len(api.call("GET", "/api/v1/patients?page_size=1").json_body["results"]) == 1
    assert len(api.call("GET", "/api/v1/patients?page_size=100000").json_body["results"]) == 3
