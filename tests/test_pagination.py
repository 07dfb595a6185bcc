"""Every long list is paged: the same order as before, filters kept in the links,
a bad ``?page=`` is page 1, a page after the last is a 404, and the CSV export
still holds every row."""

import csv
import io
from datetime import date

import pytest

from shop.auth.models import Role
from shop.extensions import db
from shop.legal.services import ComplaintInput, file_complaint
from tests import factories
from tests.orders.helpers import order_for


@pytest.fixture
def three_orders(app, make_listed):
    product = make_listed(stock=50)
    return [order_for({product: 1}) for _ in range(3)]  # oldest first


def test_staff_orders_are_paged_newest_first(client, auth, staff, three_orders, monkeypatch):
    monkeypatch.setattr("shop.orders.staff.PAGE", 2)
    auth.login(staff.email)
    first = client.get("/staff/orders")
    assert first.status_code == 200
    html = first.get_data(as_text=True)
    newest, middle, oldest = (o.number for o in reversed(three_orders))
    assert newest in html
    assert middle in html
    assert oldest not in html
    assert html.index(newest) < html.index(middle)
    assert "Trang 1 / 2" in html
    assert 'href="/staff/orders?page=2"' in html
    second = client.get("/staff/orders?page=2")
    assert second.status_code == 200
    html = second.get_data(as_text=True)
    assert oldest in html
    assert newest not in html
    assert 'rel="prev" href="/staff/orders"' in html


def test_the_pager_keeps_the_filters(client, auth, staff, three_orders, monkeypatch):
    monkeypatch.setattr("shop.orders.staff.PAGE", 1)
    auth.login(staff.email)
    page = client.get("/staff/orders?method=cod&status=")
    assert page.status_code == 200
    assert 'href="/staff/orders?method=cod&amp;status=&amp;page=2"' in page.get_data(as_text=True)
    assert client.get("/staff/orders?method=cod&page=3").status_code == 200
    # A filter with fewer rows has fewer pages.
    assert client.get("/staff/orders?method=vietqr&page=2").status_code == 404


@pytest.mark.parametrize("page", ["abc", "0", "-1", "", "1.5", "99999999999999999999"])
def test_a_page_that_is_not_a_positive_number_is_page_one(
    client, auth, staff, three_orders, monkeypatch, page
):
    monkeypatch.setattr("shop.orders.staff.PAGE", 2)
    auth.login(staff.email)
    response = client.get(f"/staff/orders?page={page}")
    assert response.status_code == 200
    assert three_orders[-1].number in response.get_data(as_text=True)


def test_a_page_after_the_last_is_a_404(client, auth, staff, three_orders, monkeypatch):
    monkeypatch.setattr("shop.orders.staff.PAGE", 2)
    auth.login(staff.email)
    assert client.get("/staff/orders?page=3").status_code == 404
    # An empty list has its one (empty) page.
    assert client.get("/staff/orders?status=cancelled").status_code == 200
    assert client.get("/staff/orders?status=cancelled&page=2").status_code == 404


def test_my_orders_are_paged(client, auth, make_listed, monkeypatch):
    monkeypatch.setattr("shop.orders.views.MY_ORDERS_PAGE", 1)
    buyer = factories.make_user(email="buyer@example.vn")
    product = make_listed(stock=50)
    older, newer = (order_for({product: 1}, user=buyer) for _ in range(2))
    auth.login(buyer.email)
    first = client.get("/account/orders")
    assert first.status_code == 200
    assert newer.number in first.get_data(as_text=True)
    assert older.number not in first.get_data(as_text=True)
    second = client.get("/account/orders?page=2")
    assert second.status_code == 200
    assert older.number in second.get_data(as_text=True)
    assert client.get("/account/orders?page=3").status_code == 404


def test_producer_shipments_are_paged(client, auth, make_listed, monkeypatch):
    monkeypatch.setattr("shop.orders.views.SHIPMENTS_PAGE", 1)
    product = make_listed(stock=50)
    older, newer = (order_for({product: 1}) for _ in range(2))
    auth.login(product.producer.members[0].user.email)
    first = client.get("/producer/shipments")
    assert first.status_code == 200
    assert newer.number in first.get_data(as_text=True)
    assert older.number not in first.get_data(as_text=True)
    second = client.get("/producer/shipments?page=2")
    assert second.status_code == 200
    assert older.number in second.get_data(as_text=True)
    assert client.get("/producer/shipments?page=x").status_code == 200


def test_the_register_is_paged_and_its_csv_has_every_row(client, auth, staff, monkeypatch):
    monkeypatch.setattr("shop.certification.staff.REGISTER_PAGE", 1)
    soon = factories.make_listed(name="Chè sớm hết hạn", decision_date=date(2024, 1, 10))
    late = factories.make_listed(name="Mật ong hết hạn sau", decision_date=date(2025, 9, 15))
    auth.login(staff.email)
    first = client.get("/staff/certificates?stars=4")
    assert first.status_code == 200
    html = first.get_data(as_text=True)
    assert soon.name in html
    assert late.name not in html
    assert "2 chứng nhận" in html
    assert 'href="/staff/certificates?stars=4&amp;page=2"' in html
    second = client.get("/staff/certificates?stars=4&page=2")
    assert second.status_code == 200
    assert late.name in second.get_data(as_text=True)
    assert client.get("/staff/certificates?stars=4&page=3").status_code == 404

    export = client.get("/staff/certificates.csv?stars=4&page=2")
    assert export.status_code == 200
    rows = list(csv.reader(io.StringIO(export.get_data().decode("utf-8-sig"))))
    assert len(rows) == 1 + 2


def test_the_audit_log_is_paged(client, auth, monkeypatch):
    monkeypatch.setattr("shop.audit.staff.PAGE", 2)
    from shop.audit.services import record

    admin = factories.make_user(email="admin@example.vn", role=Role.ADMIN)
    for n in range(3):
        record(admin, f"test.action{n}", admin)
    db.session.commit()
    auth.login(admin.email)
    first = client.get("/staff/audit")
    assert first.status_code == 200
    html = first.get_data(as_text=True)
    assert "test.action2" in html
    assert "test.action1" in html
    assert "test.action0" not in html
    second = client.get("/staff/audit?page=2")
    assert second.status_code == 200
    assert "test.action0" in second.get_data(as_text=True)
    assert client.get("/staff/audit?page=3").status_code == 404


def test_staff_complaints_are_paged(client, auth, staff, monkeypatch):
    monkeypatch.setattr("shop.legal.staff.SHOWN", 1)
    references = []
    for name in ("Lò Thị Mai", "Hà Văn Nam"):
        complaint, _key = file_complaint(
            ComplaintInput(name, "mai@example.vn", None, None, "Hàng bị vỡ khi nhận."),
            user=None,
            today=date(2026, 11, 27),
            working_days=3,
        )
        references.append(complaint.reference)
    db.session.commit()
    auth.login(staff.email)
    first = client.get("/staff/complaints?status=open")
    assert first.status_code == 200
    assert 'href="/staff/complaints?status=open&amp;page=2"' in first.get_data(as_text=True)
    second = client.get("/staff/complaints?status=open&page=2")
    assert second.status_code == 200
    shown = [r for r in references if r in first.get_data(as_text=True)]
    shown += [r for r in references if r in second.get_data(as_text=True)]
    assert sorted(shown) == sorted(references)
    assert client.get("/staff/complaints?status=open&page=3").status_code == 404


def test_the_outbox_tables_have_their_own_pages(client, auth, staff):
    auth.login(staff.email)
    assert client.get("/staff/outbox?dead_page=abc&pending_page=0").status_code == 200
    assert client.get("/staff/outbox?pending_page=2").status_code == 404
