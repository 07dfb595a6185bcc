import csv
import io
import itertools
import re
from datetime import date

import pytest
from werkzeug.datastructures import MultiDict

from shop.auth.models import Role
from shop.certification.services import revoke_certificate
from shop.extensions import db
from shop.localities.models import Province
from shop.orders.models import ShipmentStatus
from shop.producers.models import ProducerKind
from shop.reports import queries
from shop.reports.charts import Bar, bar_chart, column_chart, text_width
from shop.reports.export import csv_bytes
from shop.reports.periods import Period, PeriodError, parse_month, parse_period
from tests.factories import OTHER_PROVINCE, OTHER_WARD, PROVINCE
from tests.helpers_http import assert_redirect
from tests.reports.conftest import vn

OCTOBER = Period(date(2025, 10, 1), date(2025, 10, 31))
OCTOBER_ARGS = {"start": "2025-10-01", "end": "2025-10-31"}


@pytest.fixture
def october(make_producer, make_product, make_order):
    """Two producers, four kinds of order; the expected October figures are in the tests."""
    a = make_producer(legal_name="Hợp tác xã Chè Lũng Phìn")
    b = make_producer(
        kind=ProducerKind.HOUSEHOLD,
        legal_name="Hộ kinh doanh Rượu ngô Bắc Hà",
        registration_number=None,
        province_code=OTHER_PROVINCE,
        ward_code=OTHER_WARD,
    )
    tea = make_product(a, name="Chè Shan Tuyết", set_code="I.11", price=350_000)
    honey = make_product(a, name="Mật ong bạc hà", set_code="I.04", price=200_000)
    wine = make_product(b, name="Rượu ngô men lá", set_code="II.01", price=150_000)
    make_order([(tea, 2), (wine, 1)], paid_at=vn(2025, 10, 5, 9, 0))
    # 23:30 on 31 October in Vietnam is 16:30 UTC: October.
    make_order([(honey, 3)], paid_at=vn(2025, 10, 31, 23, 30), stars=5)
    # 00:10 on 1 November in Vietnam is still 31 October in UTC: November.
    make_order([(tea, 1)], paid_at=vn(2025, 11, 1, 0, 10))
    make_order([(tea, 5)])  # never paid
    make_order([(wine, 4)], paid_at=vn(2025, 10, 6), status=ShipmentStatus.CANCELLED)
    # Paid by transfer, not shipped yet: it counts.
    make_order([(wine, 2)], paid_at=vn(2025, 10, 10), status=ShipmentStatus.NEW, stars=3)
    return {"a": a, "b": b, "tea": tea, "honey": honey, "wine": wine}


def _table(rows):
    return {r.label: (r.sales_vnd, r.quantity, r.orders) for r in rows}


def _province(code):
    return db.session.get(Province, code).name


def test_sales_by_province_counts_paid_uncancelled_shipments_of_the_period(october):
    rows = queries.sales_by_province(OCTOBER)
    assert _table(rows) == {
        _province(PROVINCE): (1_300_000, 5, 2),
        _province(OTHER_PROVINCE): (450_000, 3, 2),
    }
    assert [r.key for r in rows] == [PROVINCE, OTHER_PROVINCE]  # largest first
    assert all(type(v) is int for r in rows for v in (r.sales_vnd, r.quantity, r.orders))


def test_sales_by_product_set(october):
    rows = queries.sales_by_product_set(OCTOBER)
    assert [(r.code, r.sales_vnd, r.quantity, r.orders) for r in rows] == [
        ("I.11", 700_000, 2, 1),
        ("I.04", 600_000, 3, 1),
        ("II.01", 450_000, 3, 2),
    ]
    assert rows[0].label == "Chè"


def test_sales_by_star(october):
    rows = queries.sales_by_star(OCTOBER)
    assert [(r.key, r.sales_vnd, r.quantity, r.orders) for r in rows] == [
        (5, 600_000, 3, 1),
        (4, 850_000, 3, 1),
        (3, 300_000, 2, 1),
    ]


def test_sales_by_producer(october):
    rows = queries.sales_by_producer(OCTOBER)
    assert [(r.key, r.sales_vnd, r.quantity, r.orders) for r in rows] == [
        (october["a"].id, 1_300_000, 5, 2),
        (october["b"].id, 450_000, 3, 2),
    ]
    assert rows[1].kind == ProducerKind.HOUSEHOLD
    assert rows[1].province == _province(OTHER_PROVINCE)


def test_totals_and_the_vietnam_day_boundary(october):
    assert queries.sales_totals(OCTOBER) == queries.Totals(1_750_000, 8, 3, 4)
    november = queries.sales_totals(Period(date(2025, 11, 1), date(2025, 11, 1)))
    assert november == queries.Totals(350_000, 1, 1, 1)
    # The last evening of October (Vietnam time) alone:
    last_day = queries.sales_by_star(Period(date(2025, 10, 31), date(2025, 10, 31)))
    assert [(r.key, r.sales_vnd) for r in last_day] == [(5, 600_000)]


def test_an_empty_period_has_no_rows(october):
    empty = Period(date(2024, 1, 1), date(2024, 1, 31))
    assert queries.sales_by_province(empty) == []
    assert queries.sales_by_producer(empty) == []
    assert queries.sales_totals(empty) == queries.Totals(0, 0, 0, 0)


TODAY = date(2026, 1, 15)


@pytest.fixture
def certified(make_producer, make_product, make_certificate, staff):
    a = make_producer()
    b = make_producer(province_code=OTHER_PROVINCE, ward_code=OTHER_WARD)
    make_certificate(make_product(a), stars=4, decision_date=date(2025, 9, 15))  # to 2028
    make_certificate(make_product(a), stars=5, decision_date=date(2023, 3, 10))  # ends 03/2026
    make_certificate(make_product(b), stars=3, decision_date=date(2023, 1, 20))  # ends 01/2026
    make_certificate(make_product(b), stars=3, decision_date=date(2023, 12, 31))  # ends 31/12/2026
    make_certificate(make_product(b), stars=4, decision_date=date(2024, 1, 1))  # ends 01/01/2027
    make_certificate(make_product(a), stars=4, decision_date=date(2022, 12, 1))  # expired
    make_certificate(make_product(a), stars=4, verified=False)  # pending
    revoked = make_certificate(make_product(a), stars=3)
    revoke_certificate(revoked, staff, "Không đạt")
    rerated = make_product(b)
    make_certificate(rerated, stars=3, decision_date=date(2024, 1, 5))  # superseded
    make_certificate(rerated, stars=4, decision_date=date(2025, 6, 1))
    db.session.commit()


def test_certified_products_by_province_and_star(certified):
    rows = queries.certified_by_province(TODAY)
    assert [(r.code, r.by_stars, r.total) for r in rows] == [
        (OTHER_PROVINCE, {3: 2, 4: 2, 5: 0}, 4),
        (PROVINCE, {3: 0, 4: 1, 5: 1}, 2),
    ]


def test_certificates_expiring_per_month_for_twelve_months(certified):
    rows = queries.expiring_by_month(TODAY)
    assert [r.month for r in rows][:3] == [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]
    assert len(rows) == 12
    assert rows[-1].month == date(2026, 12, 1)
    counts = {r.month.month: r.certificates for r in rows}
    # January: the one ending 20/01; March: 10/03; December: 31/12. The one ending
    # on 1 January 2027 is beyond the window.
    assert counts == dict.fromkeys(range(1, 13), 0) | {1: 1, 3: 1, 12: 1}


# -- periods ---------------------------------------------------------------------


def test_period_defaults_to_the_current_month():
    assert parse_period(MultiDict(), date(2026, 2, 14)) == Period(
        date(2026, 2, 1), date(2026, 2, 28)
    )


def test_period_bounds_are_vietnam_midnights():
    start, end = Period(date(2025, 10, 1), date(2025, 10, 31)).utc_bounds()
    assert start.isoformat() == "2025-09-30T17:00:00+00:00"
    assert end.isoformat() == "2025-10-31T17:00:00+00:00"


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        ({"start": "2025-13-01"}, "YYYY-MM-DD"),
        ({"start": "hôm qua"}, "YYYY-MM-DD"),
        ({"end": "9999-12-31"}, "2000"),
        ({"start": "0001-01-01"}, "2000"),
        ({"start": "2025-10-31", "end": "2025-10-01"}, "sau"),
        ({"start": "2020-01-01", "end": "2025-01-01"}, "3 năm"),
    ],
)
def test_bad_periods_are_refused_with_a_message(app, args, fragment):
    with pytest.raises(PeriodError) as caught:
        parse_period(MultiDict(args), date(2026, 1, 15))
    assert fragment in caught.value.message


def test_three_years_is_allowed():
    period = parse_period(MultiDict({"start": "2023-01-01", "end": "2025-12-31"}), TODAY)
    assert period.days == 1096


@pytest.mark.parametrize("raw", ["2026-13", "2026", "26-11", "2026-1x", "abc", "", "1999-12"])
def test_bad_months(app, raw):
    with pytest.raises(PeriodError):
        parse_month(raw)


def test_month():
    assert parse_month("2026-11") == date(2026, 11, 1)


# -- charts and CSV --------------------------------------------------------------


def test_chart_escapes_text_and_is_labelled():
    svg = str(
        bar_chart(
            "chart-x",
            "Doanh số <b>",
            "Mô tả & chú thích",
            [Bar('<script>alert("x")</script>', (100,), "100 ₫"), Bar("Hai", (50,), "50 ₫")],
        )
    )
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    assert 'role="img"' in svg
    assert 'aria-labelledby="chart-x-title chart-x-desc"' in svg
    assert '<title id="chart-x-title">Doanh số &lt;b&gt;</title>' in svg
    assert '<desc id="chart-x-desc">Mô tả &amp; chú thích</desc>' in svg
    assert "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")
    widths = [int(w) for w in re.findall(r'<rect x="\d+" y="\d+" width="(\d+)"', svg)]
    assert len(widths) == 2
    assert abs(widths[0] - 2 * widths[1]) <= 1  # 100 and 50


LONG_SET = (
    "Sản phẩm chế biến từ rau, củ, quả, hạt và các loại nông sản khác của các xã vùng cao "
    "biên giới phía Bắc, Tuyên Quang và Hà Giang cũ"
)


def test_long_labels_wrap_and_keep_their_full_text_in_a_title():
    svg = str(
        bar_chart(
            "c",
            "T",
            "D",
            [Bar(LONG_SET, (900,), "1.250.000.000 ₫"), Bar("Hà Nội", (10,), "10 ₫")],
        )
    )
    assert f"<title>{LONG_SET}: 1.250.000.000 ₫</title>" in svg
    assert svg.count("<tspan") == 2  # the long label on two lines, the short on one
    lines = re.findall(r"<tspan[^>]*>([^<]*)</tspan>", svg)
    assert lines[-1].endswith("…")
    label_w = int(re.search(r'<line x1="(\d+)"', svg).group(1)) - 8
    assert all(text_width(line) <= label_w for line in lines)
    assert label_w <= 300
    # The value after the longest bar ends inside the chart.
    x = int(re.findall(r'<text x="(\d+)" y="\d+" fill="#5d5d57">1.250.000.000 ₫', svg)[0])
    assert x + text_width("1.250.000.000 ₫") <= 760


def test_short_labels_leave_the_room_to_the_bars():
    svg = str(bar_chart("c", "T", "D", [Bar("Huế", (1,), "1")]))
    assert '<line x1="68"' in svg  # the label column at its minimum, 60 px + gap


def _middle_texts(svg):
    return re.findall(r'<text x="(\d+)"[^>]*text-anchor="middle"[^>]*>([^<]*)<', svg)


def test_column_labels_and_values_stay_inside_the_chart():
    bars = [Bar(f"{m:02d}/2027", (m,), str(m)) for m in range(1, 13)]
    svg = str(column_chart("c", "T", "D", bars))
    texts = _middle_texts(svg)
    assert len(texts) == 24  # 12 values, 12 labels
    for x, text in texts:
        half = text_width(text) / 2
        assert half <= int(x) <= 760 - half, (x, text)


def test_crowded_columns_label_every_fourth_and_leave_long_values_to_titles():
    bars = [Bar(f"{m % 12 + 1:02d}/{2027 + m // 12}", (m,), f"{m}.000") for m in range(36)]
    svg = str(column_chart("c", "T", "D", bars))
    labels = [t for _x, t in _middle_texts(svg)]
    assert labels == [b.label for b in bars[::4]]  # a label every fourth column
    assert "<title>12/2029: 35.000</title>" in svg
    xs = [int(x) for x, _t in _middle_texts(svg)]
    assert all(b - a >= text_width("00/0000") for a, b in itertools.pairwise(xs))


def test_column_chart_handles_zero_everywhere():
    svg = str(column_chart("c", "T", "D", [Bar("01/2026", (0,), "0")] * 12))
    assert svg.count("<g>") == 12
    assert "<rect" not in svg


def test_csv_has_a_bom_and_keeps_formulas_as_text():
    data = csv_bytes(["Tỉnh"], [["=HYPERLINK(1)", 5], ["-2", -3], ["-2+3", "+84912345678"]])
    assert data.startswith(b"\xef\xbb\xbf")
    assert list(csv.reader(io.StringIO(data.decode("utf-8-sig")))) == [
        ["Tỉnh"],
        ["'=HYPERLINK(1)", "5"],
        ["-2", "-3"],  # plain numbers stay numbers
        ["'-2+3", "+84912345678"],  # a formula is text; a phone number stays as it is
    ]


# -- pages -----------------------------------------------------------------------


def test_staff_see_every_report_with_charts(client, auth, staff, october):
    assert_redirect(auth.login(staff.email), "/staff/")
    response = client.get("/staff/reports/", query_string=OCTOBER_ARGS)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.count('<svg class="chart"') == 5  # "certified" has no certificate here
    assert "1.750.000 ₫" in html  # the total
    assert "1.300.000 ₫" in html
    assert "Hộ kinh doanh Rượu ngô Bắc Hà" in html
    for name in ("provinces", "sets", "stars", "producers", "certified", "expiring"):
        page = client.get(f"/staff/reports/{name}", query_string=OCTOBER_ARGS)
        assert page.status_code == 200, name


def test_report_page_defaults_to_the_current_month(client, auth, staff):
    assert_redirect(auth.login(staff.email), "/staff/")
    response = client.get("/staff/reports/provinces")
    assert response.status_code == 200
    assert "Không có số liệu" in response.get_data(as_text=True)


def test_csv_export_is_excel_ready(client, auth, staff, october):
    assert_redirect(auth.login(staff.email), "/staff/")
    response = client.get("/staff/reports/producers.csv", query_string=OCTOBER_ARGS)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "bao-cao-producers-2025-10-01-2025-10-31.csv" in response.headers["Content-Disposition"]
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == [
        "Chủ thể",
        "Loại hình",
        "Tỉnh, thành phố",
        "Doanh số (đồng)",
        "Số lượng",
        "Số đơn hàng",
    ]
    assert rows[1] == [
        "Hợp tác xã Chè Lũng Phìn",
        "Hợp tác xã",
        _province(PROVINCE),
        "1300000",
        "5",
        "2",
    ]
    assert rows[2][0:2] == ["Hộ kinh doanh Rượu ngô Bắc Hà", "Hộ sản xuất / hộ kinh doanh"]
    for name in ("provinces", "sets", "stars", "certified", "expiring"):
        other = client.get(f"/staff/reports/{name}.csv", query_string=OCTOBER_ARGS)
        assert other.status_code == 200
        assert other.data.startswith(b"\xef\xbb\xbf")


def test_bad_dates_never_give_a_500(client, auth, staff):
    assert_redirect(auth.login(staff.email), "/staff/")
    page = client.get("/staff/reports/", query_string={"start": "2025-02-30"})
    assert page.status_code == 400
    html = page.get_data(as_text=True)
    assert "Ngày bắt đầu không hợp lệ" in html
    assert "<h2" in html  # the reports of the current month are still there
    too_long = client.get("/staff/reports/stars", query_string={"start": "2019-01-01"})
    assert too_long.status_code == 400
    assert "3 năm" in too_long.get_data(as_text=True)
    export = client.get("/staff/reports/sets.csv", query_string={"end": "99999-01-01"})
    assert export.status_code == 400
    assert "Ngày kết thúc không hợp lệ" in export.get_data(as_text=True)
    assert client.get("/staff/reports/nope.csv").status_code == 404


@pytest.mark.parametrize("role", [Role.CUSTOMER, Role.PRODUCER])
def test_customers_and_producers_get_403(client, auth, make_user, make_producer, role):
    user = make_user()
    if role == Role.PRODUCER:
        make_producer(owner=user)
    assert_redirect(auth.login(user.email), "/producer/" if role == Role.PRODUCER else "/")
    for path in ("/staff/reports/", "/staff/reports/producers", "/staff/reports/provinces.csv"):
        assert client.get(path).status_code == 403, path


def test_anonymous_visitors_are_sent_to_login(client):
    response = client.get("/staff/reports/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
