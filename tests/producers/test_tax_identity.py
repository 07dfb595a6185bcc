"""A household gives a tax code or the CCCD of its head (our policy; see
shop/producers/forms.py: validate_tax_id)."""

import pytest
from sqlalchemy import select

from shop.extensions import db
from shop.producers.models import Producer, ProducerKind
from tests.helpers_http import assert_signed_in
from tests.producers.test_producers import _form, redirects_to


@pytest.fixture
def signed_in(client, make_user, auth):
    user = make_user(email="owner@example.vn")
    assert_signed_in(auth.login("owner@example.vn"))
    return user


def test_household_registers_with_a_tax_code_in_the_10_3_form(client, signed_in):
    data = _form(kind="household", registration_number="", tax_id="0101234567001")
    redirects_to(client.post("/producer/register", data=data), "/producer/")
    producer = db.session.scalar(select(Producer))
    assert (producer.kind, producer.tax_id) == (ProducerKind.HOUSEHOLD, "0101234567-001")


@pytest.mark.parametrize(
    ("tax_id", "message"),
    [
        ("", "cần mã số thuế hoặc số CCCD"),
        ("12345", "số CCCD gồm 12 chữ số"),
        ("0101234567-01", "số CCCD gồm 12 chữ số"),
    ],
)
def test_household_without_a_valid_tax_identity_is_refused(client, signed_in, tax_id, message):
    data = _form(kind="household", registration_number="", tax_id=tax_id)
    response = client.post("/producer/register", data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(Producer)) is None


def test_cooperative_needs_no_tax_identity_field(client, signed_in):
    redirects_to(client.post("/producer/register", data=_form(tax_id="")), "/producer/")
    assert db.session.scalar(select(Producer)).tax_id is None


def test_profile_form_asks_an_existing_household_for_it(client, make_user, make_producer, auth):
    owner = make_user(email="ho@example.vn")
    producer = make_producer(
        owner=owner, kind=ProducerKind.HOUSEHOLD, registration_number=None, legal_name="Hộ Mèo Vạc"
    )
    assert producer.tax_id is None  # registered before the rule
    assert_signed_in(auth.login("ho@example.vn"))
    page = client.get("/producer/profile")
    assert page.status_code == 200
    assert "số CCCD của chủ hộ" in page.get_data(as_text=True)
    same = {"kind": "household", "registration_number": "", "legal_name": "Hộ Mèo Vạc"}
    refused = client.post("/producer/profile", data=_form(**same, tax_id=""))
    assert refused.status_code == 400
    saved = client.post("/producer/profile", data=_form(**same, tax_id="001089012345"))
    redirects_to(saved, "/producer/profile")
    db.session.refresh(producer)
    assert producer.tax_id == "001089012345"
    assert producer.is_verified  # giving the number does not send it back to review
