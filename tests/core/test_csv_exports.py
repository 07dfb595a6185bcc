"""No CSV export hands Excel a formula: the shared helper, then every .csv route.

The routes are found in the URL map, so a new export is walked automatically (one
with an argument this test does not know fails until the test learns it).
"""

import csv
import io
import re
from datetime import date
from decimal import Decimal
from itertools import product

import pytest
from sqlalchemy import select

from shop.auth.models import Role
from shop.centres.models import TillPayment
from shop.centres.services import record_sale
from shop.certification.services import revoke_certificate
from shop.clock import today_vn, utcnow
from shop.core.csvsafe import csv_bytes, safe_cell
from shop.extensions import db
from shop.producers.models import ProducerKind
from shop.reports.definitions import NAMES
from shop.reports.periods import first_of_month, previous_month
from shop.settlements.models import Settlement
from shop.settlements.services import generate, mark_paid
from tests.centres.helpers import consign, make_cashier, make_centre
from tests.reports.conftest import build_order, vn

DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")
# What may start with a sign and still be harmless: a signed number, a +84 phone.
SIGNED_NUMBER = re.compile(r"[+-]\d+(?:[.,]\d+)?")

HYPERLINK = '=HYPERLINK("http://x")'
PLUS = "+1+1"
AT = "@SUM(A1)"
MINUS = "-2+3"
TAB = "\tcmd"


# -- the helper ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [HYPERLINK, PLUS, AT, MINUS, TAB, "\rcmd", "=1+1", "+", "-", "@", "-5 kg", "+84 912 345 678"],
)
def test_text_that_starts_a_formula_gets_a_quote(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", [0, 5, -3, 125_000, -125_000, 1.5, Decimal("-2.50"), True])
def test_numbers_stay_numbers(value):
    assert safe_cell(value) is value


@pytest.mark.parametrize(
    "text", ["-5", "+5", "125000", "-125000", "-1.5", "-1,5", "+84912345678", "0912345678"]
)
def test_text_that_is_a_plain_number_or_phone_stays(text):
    assert safe_cell(text) == text


@pytest.mark.parametrize(
    "text", ["", "Hợp tác xã Lũng Phìn", "a=b", "5+5", " =x", "I.11 Chè", "'=already"]
)
def test_ordinary_text_stays(text):
    assert safe_cell(text) == text


def test_none_is_an_empty_cell():
    assert safe_cell(None) == ""


def test_other_values_are_written_as_their_text():
    class Label:
        def __str__(self):
            return "=lazy"

    assert safe_cell(Label()) == "'=lazy"
    assert safe_cell(date(2026, 1, 2)) == "2026-01-02"


def test_csv_bytes_has_a_bom_and_defuses_header_and_rows():
    data = csv_bytes(["=Tỉnh", "Số"], [[HYPERLINK, -3], ["-2", "-2+3"], [None, TAB]])
    assert data.startswith(b"\xef\xbb\xbf")
    assert list(csv.reader(io.StringIO(data.decode("utf-8-sig")))) == [
        ["'=Tỉnh", "Số"],
        ["'" + HYPERLINK, "-3"],
        ["-2", "'-2+3"],
        ["", "'" + TAB],
    ]


# -- every export, with hostile data ------------------------------------------------


@pytest.fixture
def hostile(make_user, make_producer, make_product, make_certificate):
    """A producer and products whose every free-text field is a formula, with a
    certificate, a revoked one, sales this month and a paid settlement last month."""
    staff = make_user(email="canbo@example.vn", role=Role.STAFF)
    producer = make_producer(staff=staff, legal_name=HYPERLINK, registration_number=AT)
    tea = make_product(producer, name=MINUS, published=True)
    certificate = make_certificate(tea, staff=staff)
    certificate.issuer_name = PLUS
    certificate.legal_basis = AT
    honey = make_product(producer, name=TAB, published=True)
    revoked = make_certificate(honey, staff=staff)
    revoke_certificate(revoked, staff, TAB)
    db.session.commit()

    today = today_vn()
    last_month = previous_month(first_of_month(today))
    build_order([(tea, 2)], paid_at=utcnow())  # the reports: the current month
    build_order([(tea, 1)], paid_at=vn(last_month.year, last_month.month, 15, 12))
    # A household (tax withheld: its statement and the declaration export).
    household = make_producer(
        staff=staff,
        owner=make_user(email="ho@example.vn"),
        kind=ProducerKind.HOUSEHOLD,
        legal_name=PLUS,
        registration_number=None,
        tax_id="001089012345",
        representative=MINUS,
    )
    honey_home = make_product(household, name=AT)
    build_order([(honey_home, 1)], paid_at=vn(last_month.year, last_month.month, 16, 12))
    generate(last_month, today)  # the settlements: the previous month
    for seller in (producer, household):
        settlement = db.session.scalar(
            select(Settlement).where(Settlement.producer_id == seller.id)
        )
        mark_paid(settlement, staff, MINUS, today)
    db.session.commit()
    # A sale at a centre's till this month (the centres report), the centre's name hostile.
    centre = make_centre(staff, name=HYPERLINK)
    cashier = make_cashier(centre, staff=staff)
    consign(centre, tea, 3)
    record_sale(centre, cashier, {tea.id: 1}, TillPayment.CASH, "hostile-till", today)
    db.session.commit()
    staff.statement_year = last_month.year
    return staff


# Where each hostile text must show up (quoted), so that the walk proves something.
EXPECTED = {
    "/staff/certificates.csv": {HYPERLINK, AT, PLUS, MINUS, TAB},
    "/staff/reports/producers.csv": {HYPERLINK},
    "/staff/reports/centres.csv": {HYPERLINK},
    "/staff/settlements.csv": {HYPERLINK, AT, MINUS},
    "/staff/settlements/withholding.csv": {PLUS, MINUS},
}
ARGS = {"name": list(NAMES)}


def _csv_paths(app) -> list[str]:
    paths = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.endswith(".csv"):
            continue
        unknown = rule.arguments - ARGS.keys()
        assert not unknown, f"teach the CSV test about {unknown} in {rule.rule}"
        names = sorted(rule.arguments)
        for combo in product(*(ARGS[n] for n in names)):
            paths.append(rule.build(dict(zip(names, combo, strict=True)))[1])
    return paths


def _harmless(cell: str) -> bool:
    return not cell.startswith(DANGEROUS_START) or bool(SIGNED_NUMBER.fullmatch(cell))


def test_every_csv_export_keeps_hostile_text_as_text(app, client, auth, hostile):
    response = auth.login(hostile.email)
    assert response.status_code == 302
    paths = _csv_paths(app)
    assert set(EXPECTED) <= set(paths)
    producer_client = app.test_client()
    assert auth.__class__(producer_client).login("ho@example.vn").status_code == 302
    for path in paths:
        if path.startswith("/producer/"):  # the household's own export, as the household
            response = producer_client.get(path, query_string={"year": hostile.statement_year})
        else:
            response = client.get(path)
        assert response.status_code == 200, path
        assert response.mimetype == "text/csv", path
        if not path.startswith("/feeds/"):
            # Spreadsheets need the BOM to read UTF-8; a shopping engine's feed
            # (Meta reads the first column's name literally) goes without.
            assert response.data.startswith(b"\xef\xbb\xbf"), path
        rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"), newline="")))
        assert len(rows) >= 2, f"{path}: no data rows, the walk proves nothing"
        cells = [cell for row in rows for cell in row]
        dangerous = [cell for cell in cells if not _harmless(cell)]
        assert not dangerous, f"{path}: {dangerous}"
        missing = {text for text in EXPECTED.get(path, ()) if "'" + text not in cells}
        assert not missing, f"{path}: {missing} not in the file"
