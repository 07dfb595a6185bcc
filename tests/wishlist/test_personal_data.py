"""The wishlist and alerts are personal data: exported, and deleted with the account."""

import io
import json
import zipfile
from datetime import UTC, datetime

from sqlalchemy import func, select

from shop.accounts.personal_data import delete_account, personal_data
from shop.extensions import db
from shop.wishlist.models import StockAlert, WishlistItem
from shop.wishlist.services import save_product, subscribe_stock_alert
from tests.helpers_http import assert_redirect

NOW = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)


def _setup(make_user, make_listed):
    user = make_user(email="an@example.vn")
    stranger = make_user(email="other@example.vn")
    saved = make_listed(name="Chè Shan tuyết")
    sold_out = make_listed(name="Mật ong bạc hà", stock=0)
    save_product(user, saved.id)
    save_product(stranger, saved.id)
    # One as a guest with the account's address, one signed in; one of someone else.
    subscribe_stock_alert("AN@example.vn", sold_out.id, NOW.date())
    subscribe_stock_alert("other@example.vn", sold_out.id, NOW.date(), user=stranger)
    db.session.commit()
    return user, stranger


def test_export_includes_wishlist_and_alerts(client, auth, make_user, make_listed):
    user, _stranger = _setup(make_user, make_listed)
    data = personal_data(user)
    assert [w["product_name"] for w in data["wishlist"]] == ["Chè Shan tuyết"]
    assert [(a["email"], a["product_name"]) for a in data["stock_alerts"]] == [
        ("an@example.vn", "Mật ong bạc hà")
    ]
    assert_redirect(auth.login(user.email), "/")
    response = client.get("/account/my-data.zip")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert {"wishlist.csv", "stock_alerts.csv"} <= set(archive.namelist())
    exported = json.loads(archive.read("data.json"))
    assert exported["stock_alerts"][0]["email"] == "an@example.vn"


def test_account_deletion_removes_them(app, make_user, make_listed):
    user, stranger = _setup(make_user, make_listed)
    delete_account(user, NOW)
    db.session.commit()
    owners = db.session.scalars(select(WishlistItem.user_id)).all()
    assert owners == [stranger.id]
    assert db.session.scalars(select(StockAlert.email)).all() == ["other@example.vn"]
    assert db.session.scalar(select(func.count()).select_from(StockAlert)) == 1
