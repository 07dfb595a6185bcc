"""axe-core finds no violation of the WCAG 2.0, 2.1 and 2.2 A and AA rules, nor of
its best-practice rules (landmarks, heading order, one main, skip link target),
on every page a buyer, a producer or an official reaches, at 375×812 and at
1366×900 (issue 12: "axe: 0 violations at both sizes on every page").

axe-core comes bundled with axe-playwright-python (PyPI, MPL-2.0): nothing is
fetched at run time. The pages are served by one live server for the whole
module, on a database of its own seeded once (the demo catalogue plus a few
factory rows: reviews, a campaign, a complaint, a producer awaiting checks), so
the audits do not seed the catalogue once each. Every audit writes what axe
found to test-artifacts/axe/<page>-<width>.json.

    PYTHONPATH=$PWD .venv/bin/pytest -n 0 tests/e2e/test_accessibility.py
"""

import json
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from sqlalchemy import select
from sqlalchemy.engine import make_url
from werkzeug.serving import make_server

from shop import create_app
from shop.demo import data as demo_data
from tests.conftest import _migrate, _server_database
from tests.e2e.conftest import ARTIFACTS, CHROMIUM
from tests.e2e.landing import signed_in_landing

pytestmark = [
    pytest.mark.e2e,
    # The markup does not depend on the database: .ci/run audits it once, in the
    # SQLite pass, and spends the PostgreSQL pass on what does.
    pytest.mark.skipif(
        os.environ.get("DATABASE_URL", "").startswith("postgresql"),
        reason="audited in the SQLite pass",
    ),
]

VIEWPORTS = {"375": {"width": 375, "height": 812}, "1366": {"width": 1366, "height": 900}}

# WCAG 2.0, 2.1 and 2.2 at levels A and AA (2.2 AA brings target-size), and axe's
# best practices (landmarks, heading order, page-has-heading-one, region).
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}
# localstripe's stand-in for Stripe Elements: in production the card fields are
# Stripe's own iframe, which Stripe keeps accessible; the fake's bare inputs are
# not the shop's markup.
AXE_CONTEXT = {"exclude": [["#card-element"]]}

ACCOUNTS = {
    "customer": demo_data.CUSTOMER[0],
    "producer": demo_data.PRODUCERS[0]["owner"][0],  # Hợp tác xã Chè Shan Tuyết Lũng Phìn
    "staff": demo_data.STAFF[0],
    "admin": demo_data.ADMIN[0],  # the audit log and the outbox are the admin's
}
PRODUCT = "/products/che-shan-tuyet-lung-phin"


# --- What is audited ----------------------------------------------------------------


Action = Callable[..., None]


@dataclass(frozen=True)
class Audit:
    name: str
    path: str  # formatted with the seeded ids: "/orders/{order}"
    who: str | None = None  # "customer", "producer", "staff"; None: a guest
    before: Action | None = None  # run before the page is opened (a cart line)
    then: Action | None = None  # run on the page before the audit (a form posted empty)
    status: int = 200


def fill_cart(page, base: str) -> None:
    page.goto(f"{base}{PRODUCT}")
    page.locator("form.add-to-cart button[type=submit]").click()
    page.locator("[data-cart-status]").filter(has_text="Đã thêm").wait_for()
    # Lazy photos still coming would be cut off by the next page: the server then
    # meets a dropped connection (a ResourceWarning in whichever test runs next).
    page.wait_for_load_state("networkidle")


def submit_empty(form: str = "main form[method=post]", button: str | None = None) -> Action:
    """Clear the form's fields and post it as it is: the page with its errors."""

    def act(page, base: str) -> None:
        target = page.locator(form).first
        target.evaluate(
            """f => {
              f.noValidate = true;
              f.querySelectorAll('input, textarea').forEach(e => {
                if (['hidden', 'checkbox', 'radio', 'submit', 'file'].includes(e.type)) return;
                e.value = '';
              });
              f.querySelectorAll('select').forEach(s => { s.selectedIndex = 0; });
            }"""
        )
        submit = target.locator(button or "button[type=submit]:not([name=refresh_wards])").last
        with page.expect_navigation():
            submit.click()

    return act


def open_filters(page, base: str) -> None:
    """On a phone the filters sit behind "Lọc": audit them open."""
    toggle = page.locator("summary.filters-toggle")
    if toggle.is_visible():
        toggle.click()


def open_menu(page, base: str) -> None:
    page.locator("header details.site-menu > summary").click()


PAGES = [
    # Buyers, signed out
    Audit("home", "/"),
    Audit("menu-open", "/", then=open_menu),
    Audit("listing", "/products"),
    Audit("listing-industry", "/products?industry=1"),
    Audit("listing-filtered", "/products?stars=4&set={tea_set}&sort=price_asc", then=open_filters),
    Audit("search", "/products?q=che+shan+tuyet"),
    Audit("search-nothing", "/products?q=khong+co+gi+dau"),
    Audit("product", PRODUCT),
    Audit("product-sold-out", "/products/che-shan-tuyet-tui-loc"),
    Audit("product-expired", "/products/mat-ong-bac-ha"),
    Audit("product-alcohol", "/products/ruou-ngo-men-la-bac-ha"),
    Audit("product-enquiry", "/products/lan-ho-diep-da-lat"),
    Audit("product-reviews", PRODUCT + "/reviews"),
    Audit(
        "stock-alert-errors",
        "/products/che-shan-tuyet-tui-loc",
        then=submit_empty("form.stock-alert"),
    ),
    Audit("producer", "/producers/{producer_slug}"),
    Audit("campaign", "/campaigns/{campaign_slug}"),
    Audit("cart-empty", "/cart"),
    Audit("cart", "/cart", before=fill_cart),
    Audit("checkout", "/checkout", before=fill_cart),
    Audit("checkout-errors", "/checkout", before=fill_cart, then=submit_empty()),
    Audit("order-cod", "/orders/{order_cod}"),
    Audit("order-vietqr", "/orders/{order_vietqr}"),
    Audit("order-card", "/orders/{order_card}"),
    Audit("order-cancel", "/orders/{order_cod_number}/cancel?key={order_cod_key}"),
    Audit("order-find", "/orders/find"),
    Audit("order-find-errors", "/orders/find", then=submit_empty()),
    Audit("login", "/login"),
    Audit("login-errors", "/login", then=submit_empty()),
    Audit("register", "/register"),
    Audit("register-errors", "/register", then=submit_empty()),
    Audit("register-sent", "/register/sent"),
    Audit("password-forgot", "/password/forgot"),
    Audit("password-reset-invalid", "/password/reset/khong-hop-le", status=400),
    Audit("verify-form", "/verify"),
    Audit("verify", "/verify/{verification_code}"),
    Audit("verify-unknown", "/verify/ZZZZZZZZ", status=404),
    Audit("certificates-register", "/certificates"),
    Audit("complaint-new", "/complaints/new"),
    Audit("complaint-errors", "/complaints/new", then=submit_empty()),
    Audit("complaint-status", "/complaints/{complaint_id}?key={complaint_key}"),
    Audit("legal-rules", "/legal/rules"),
    Audit("legal-privacy", "/legal/privacy"),
    Audit("legal-complaints", "/legal/complaints"),
    Audit("legal-returns", "/legal/returns"),
    Audit("legal-operator", "/legal/operator"),
    Audit("api-docs", "/api/v1/docs"),
    Audit("labels", "/labels/"),
    Audit("stock-alert-confirm", "/stock-alerts/confirm/{alert_confirm}"),
    Audit("not-found", "/khong-co-trang-nay", status=404),
    # Buyers, signed in
    Audit("account", "/account", "customer"),
    Audit("account-orders", "/account/orders", "customer"),
    Audit("account-password", "/account/password", "customer"),
    Audit("account-password-errors", "/account/password", "customer", then=submit_empty()),
    Audit("account-delete", "/account/delete", "customer"),
    Audit("wishlist", "/account/wishlist", "customer"),
    Audit("order-mine", "/orders/{order_cod_number}", "customer"),
    Audit("review-write", "/orders/{order_first_number}/lines/{review_line}/review", "customer"),
    Audit(
        "review-write-errors",
        "/orders/{order_first_number}/lines/{review_line}/review",
        "customer",
        then=submit_empty(),
    ),
    Audit("producer-register", "/producer/register", "customer"),
    # Producers
    Audit("producer-dashboard", "/producer/", "producer"),
    Audit("producer-products", "/producer/products", "producer"),
    Audit("producer-product-new", "/producer/products/new", "producer"),
    Audit(
        "producer-product-errors",
        "/producer/products/new",
        "producer",
        then=submit_empty("main form.grid-form"),
    ),
    Audit("producer-product-edit", "/producer/products/{product_id}", "producer"),
    Audit("producer-product-archive", "/producer/products/{product_id}/archive", "producer"),
    Audit("producer-shipments", "/producer/shipments", "producer"),
    Audit("producer-shipment", "/producer/shipments/{shipment_id}", "producer"),
    Audit("producer-slip", "/producer/shipments/{shipment_id}/slip", "producer"),
    Audit("producer-shipping", "/producer/shipping", "producer"),
    Audit("producer-reviews", "/producer/reviews", "producer"),
    Audit(
        "producer-reply-errors",
        "/producer/reviews",
        "producer",
        then=submit_empty("form.reply-form"),
    ),
    Audit("producer-certificates", "/producer/certificates", "producer"),
    Audit("producer-certificate", "/producer/certificates/{certificate_id}", "producer"),
    Audit("producer-certificate-new", "/producer/certificates/new", "producer"),
    Audit(
        "producer-certificate-errors",
        "/producer/certificates/new",
        "producer",
        then=submit_empty("main form.grid-form"),
    ),
    Audit("producer-profile", "/producer/profile", "producer"),
    Audit("producer-members", "/producer/members", "producer"),
    Audit("producer-settlements", "/producer/settlements", "producer"),
    Audit("producer-tax", "/producer/settlements/tax", "producer"),
    # Staff
    Audit("staff-dashboard", "/staff/", "staff"),
    Audit("staff-certificates", "/staff/certificates", "staff"),
    Audit("staff-certificate", "/staff/certificates/{pending_certificate}", "staff"),
    Audit("staff-expiry", "/staff/expiry", "staff"),
    Audit("staff-producers", "/staff/producers", "staff"),
    Audit("staff-producer", "/staff/producers/{pending_producer}", "staff"),
    Audit("staff-reviews", "/staff/reviews", "staff"),
    Audit("staff-orders", "/staff/orders", "staff"),
    Audit("staff-order", "/staff/orders/{order_cod_number}", "staff"),
    Audit("staff-reports", "/staff/reports/", "staff"),
    Audit("staff-report-provinces", "/staff/reports/provinces", "staff"),
    Audit("staff-report-sets", "/staff/reports/sets", "staff"),
    Audit("staff-report-stars", "/staff/reports/stars", "staff"),
    Audit("staff-report-producers", "/staff/reports/producers", "staff"),
    Audit("staff-report-certified", "/staff/reports/certified", "staff"),
    Audit("staff-report-expiring", "/staff/reports/expiring", "staff"),
    Audit("staff-campaigns", "/staff/campaigns", "staff"),
    Audit("staff-campaign", "/staff/campaigns/{campaign_id}", "staff"),
    Audit("staff-campaign-edit", "/staff/campaigns/{campaign_id}/edit", "staff"),
    Audit("staff-complaints", "/staff/complaints", "staff"),
    Audit("staff-complaint", "/staff/complaints/{complaint_id}", "staff"),
    Audit("staff-settlements", "/staff/settlements", "staff"),
    Audit("staff-gtins", "/staff/gtins", "staff"),
    Audit("staff-artwork", "/staff/artwork", "staff"),
    Audit("staff-audit", "/staff/audit", "admin"),
    Audit("staff-outbox", "/staff/outbox", "admin"),
]


# --- The site: its own database, the demo data, one live server -----------------------


@contextmanager
def _own_database(base_url: str, tmp_path_factory) -> Iterator[str]:
    """A database for this module beside the suite's (which each test empties)."""
    if not base_url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path_factory.mktemp('a11y') / 'a11y.db'}"
        return
    own = make_url(base_url)
    own = own.set(database=f"{own.database}_a11y")
    _server_database(base_url, f'DROP DATABASE IF EXISTS "{own.database}" WITH (FORCE)')
    _server_database(base_url, f'CREATE DATABASE "{own.database}"')
    try:
        yield own.render_as_string(hide_password=False)
    finally:
        _server_database(base_url, f'DROP DATABASE IF EXISTS "{own.database}" WITH (FORCE)')


def _seed(app) -> dict:
    """The demo catalogue and orders, and the rows only the factories make."""
    from shop.auth.models import User
    from shop.catalog.models import Product, ProductSet
    from shop.certification.models import Certificate, ReviewState
    from shop.clock import today_vn
    from shop.extensions import db
    from shop.legal.services import ComplaintInput, file_complaint
    from shop.orders.models import Order, PaymentMethod, Shipment
    from shop.promotion.campaigns import create_campaign, feature_product
    from shop.reviews.rules import Reviewer
    from shop.reviews.services import reply_to_review, submit_review
    from shop.wishlist.services import request_stock_alert, save_product
    from tests import factories
    from tests.orders.helpers import order_for
    from tests.reviews.conftest import deliver

    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    today = today_vn()

    def user(email: str) -> User:
        return db.session.scalar(select(User).where(User.email == email))

    def product(slug: str) -> Product:
        return db.session.scalar(select(Product).where(Product.slug == slug))

    customer, staff = user(ACCOUNTS["customer"]), user(ACCOUNTS["staff"])
    tea = product("che-shan-tuyet-lung-phin")
    producer = tea.producer
    orders = db.session.scalars(
        select(Order).where(Order.user_id == customer.id).order_by(Order.id)
    ).all()
    cod = next(o for o in orders if o.payment_method is PaymentMethod.COD)
    vietqr = next(o for o in orders if o.payment_method is PaymentMethod.VIETQR)

    # Reviews: one with the producer's reply, one waiting for it; a line left to review.
    first = deliver(order_for({tea: 1, product("hong-tra-shan-tuyet-co-thu"): 1}, user=customer))
    review = submit_review(first.lines[0], Reviewer(customer.id), rating=5, body="Chè thơm, ngon.")
    reply_to_review(
        review, producer_id=producer.id, actor=user(ACCOUNTS["producer"]), body="Cảm ơn chị."
    )
    second = deliver(order_for({tea: 1}, user=customer))
    submit_review(second.lines[0], Reviewer(customer.id), rating=3, body="Giao hơi chậm.")
    card = order_for({tea: 1}, method=PaymentMethod.CARD)
    save_product(customer, tea.id)

    campaign = create_campaign(
        staff,
        title="Tuần lễ chè Shan Tuyết",
        description="Chè của các hợp tác xã vùng cao.",
        starts_on=today,
        ends_on=today + timedelta(days=14),
    )
    feature_product(campaign, tea, staff, today)
    complaint, complaint_key = file_complaint(
        ComplaintInput(
            name="Nguyễn Thu Hà",
            email="ha@example.vn",
            phone=None,
            order_number=cod.number,
            text="Gói chè bị rách khi nhận.",
        ),
        user=None,
        today=today,
        working_days=2,
    )
    _product, alert_token = request_stock_alert(
        "ha@example.vn", product("che-shan-tuyet-tui-loc").id, today
    )
    db.session.commit()
    pending_producer = factories.make_producer(verified=False)

    certificate = db.session.scalar(
        select(Certificate)
        .where(Certificate.review == ReviewState.PENDING)
        .order_by(Certificate.id)
    )
    active = db.session.scalar(
        select(Certificate)
        .where(Certificate.product_id == tea.id, Certificate.review == ReviewState.VERIFIED)
        .order_by(Certificate.id.desc())
    )
    shipment = db.session.scalar(
        select(Shipment).where(Shipment.producer_id == producer.id, Shipment.order_id == cod.id)
    )
    reviewed = {line.id for line in first.lines[:1]}
    review_line = next(line.id for line in first.lines if line.id not in reviewed)
    tea_set = db.session.scalar(select(ProductSet.id).where(ProductSet.code == "I.11"))
    return {
        "tea_set": tea_set,
        "producer_slug": producer.slug,
        "campaign_slug": campaign.slug,
        "campaign_id": campaign.id,
        "order_cod": f"{cod.number}?key={cod.access_key}",
        "order_cod_number": cod.number,
        "order_cod_key": cod.access_key,
        "order_vietqr": f"{vietqr.number}?key={vietqr.access_key}",
        "order_card": f"{card.number}?key={card.access_key}",
        "review_line": review_line,
        "order_first_number": first.number,
        "verification_code": active.verification_code,
        "certificate_id": active.id,
        "complaint_id": complaint.id,
        "complaint_key": complaint_key,
        "alert_confirm": alert_token,
        "product_id": tea.id,
        "shipment_id": shipment.id,
        "pending_certificate": certificate.id,
        "pending_producer": pending_producer.id,
    }


@dataclass
class Site:
    base: str
    ids: dict
    states: dict  # signed-in browser state of each account


@pytest.fixture(scope="module")
def axe_browser():
    from pathlib import Path

    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--no-first-run"],
        )
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def site(database_url, localstripe, tmp_path_factory, axe_browser) -> Iterator[Site]:
    with _own_database(database_url, tmp_path_factory) as url:
        _migrate(url)
        uploads = tmp_path_factory.mktemp("a11y-uploads")
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": url,
                "UPLOAD_FOLDER": str(uploads),
                "MAIL_FILE_DIR": str(uploads / "mail"),
                "SERVER_NAME": None,
                "WTF_CSRF_ENABLED": True,
                "RATELIMIT_ENABLED": False,  # one address signs in and posts many times
                "STRIPE_API_BASE": localstripe,
                "STRIPE_JS_URL": f"{localstripe}/js.stripe.com/v3/",
            }
        )
        with app.app_context():
            ids = _seed(app)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        base = f"http://127.0.0.1:{server.server_port}"
        try:
            states = {who: _sign_in(axe_browser, base, email) for who, email in ACCOUNTS.items()}
            yield Site(base, ids, states)
        finally:
            server.shutdown()
            thread.join(timeout=5)
            with app.app_context():
                from shop.extensions import db

                db.engine.dispose()


def _sign_in(browser, base: str, email: str) -> dict:
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", demo_data.DEMO_PASSWORD)
    page.press("#password", "Enter")
    page.wait_for_url(signed_in_landing(base))
    page.wait_for_load_state("networkidle")  # no request cut off by closing the context
    state = context.storage_state()
    context.close()
    return state


# --- The audit ----------------------------------------------------------------------


def describe(violations: list[dict]) -> str:
    """One line per rule, then its first targets: what a developer needs to fix it."""
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({len(v['nodes'])} nodes)")
        for node in v["nodes"][:4]:
            summary = " ".join((node.get("failureSummary") or "").split())[:200]
            lines.append(f"    {node['target']} {summary}")
    return "\n".join(lines)


def run_axe(page) -> list[dict]:
    results = Axe().run(page, context=AXE_CONTEXT, options=AXE_OPTIONS)
    return results.response["violations"]


@pytest.mark.parametrize("width", VIEWPORTS)
@pytest.mark.parametrize("audit", PAGES, ids=[a.name for a in PAGES])
def test_no_axe_violations(site, axe_browser, audit, width):
    context = axe_browser.new_context(
        viewport=VIEWPORTS[width],
        locale="vi-VN",
        reduced_motion="reduce",
        storage_state=site.states[audit.who] if audit.who else None,
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        if audit.before:
            audit.before(page, site.base)
        response = page.goto(site.base + audit.path.format(**site.ids))
        assert response is not None
        assert response.status == audit.status, f"{audit.name}: {response.status} {page.url}"
        if audit.then:
            audit.then(page, site.base)
        page.wait_for_load_state("networkidle")
        url = page.url
        violations = run_axe(page)
    finally:
        context.close()
    out = ARTIFACTS / "axe"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{audit.name}-{width}.json").write_text(
        json.dumps(violations, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    assert violations == [], f"{audit.name} at {width} px ({url}):\n" + describe(violations)


# --- Keyboard: a skip link first, and every focused control shows where it is --------

FOCUS_PAGES = [
    ("product", PRODUCT, None),
    ("listing", "/products?q=che", None),
    ("checkout", "/checkout", None),
    ("producer-product-form", "/producer/products/{product_id}", "producer"),
    ("staff-report", "/staff/reports/provinces", "staff"),
]

FOCUS_STYLE = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const s = getComputedStyle(e);
  const r = e.getBoundingClientRect();
  return {
    what: e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
          (typeof e.className === 'string' && e.className
            ? '.' + e.className.trim().split(/\\s+/).join('.') : ''),
    text: (e.innerText || e.value || e.getAttribute('aria-label') || '').trim().slice(0, 40),
    outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2,
    shadow: s.boxShadow !== 'none',
    inMain: !!e.closest('main'),
    width: r.width, height: r.height,
  };
}"""


@pytest.mark.parametrize("width", VIEWPORTS)
@pytest.mark.parametrize(("name", "path", "who"), FOCUS_PAGES, ids=[p[0] for p in FOCUS_PAGES])
def test_keyboard_focus_is_visible(site, axe_browser, name, path, who, width):
    context = axe_browser.new_context(
        viewport=VIEWPORTS[width],
        locale="vi-VN",
        storage_state=site.states[who] if who else None,
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    if name == "checkout":
        fill_cart(page, site.base)
    response = page.goto(site.base + path.format(**site.ids))
    assert response is not None
    assert response.status == 200
    page.wait_for_load_state("networkidle")

    # The first Tab shows the skip link on the screen; Enter skips the header.
    page.keyboard.press("Tab")
    first = page.evaluate(FOCUS_STYLE)
    assert first is not None
    assert first["what"].startswith("a.skip-link"), first
    box = page.locator(".skip-link").bounding_box()
    assert box is not None
    assert box["x"] >= 0, box
    assert box["y"] >= 0, box
    assert first["outline"] or first["shadow"], first
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    after_skip = page.evaluate(FOCUS_STYLE)
    assert after_skip is not None
    assert after_skip["inMain"], after_skip

    # Then 40 more stops: each one shows a focus outline (or ring).
    unseen = []
    for _ in range(40):
        page.keyboard.press("Tab")
        page.wait_for_timeout(100)
        style = page.evaluate(FOCUS_STYLE)
        if style is None:
            break
        if style["width"] and not (style["outline"] or style["shadow"]):
            unseen.append(style)
    page.wait_for_load_state("networkidle")  # photos the tabbing scrolled into view
    context.close()
    assert unseen == [], f"{name} at {width} px: focus not visible on {unseen}"


# --- Screenshots of the pages the audit changed, for a person to look at -------------

SHOTS = [
    ("verify-unknown", "/verify/ZZZZZZZZ", None),
    ("order-cancel", "/orders/{order_cod_number}/cancel?key={order_cod_key}", None),
    ("producer-reviews", "/producer/reviews", "producer"),
    ("producer-members", "/producer/members", "producer"),
    ("legal-rules", "/legal/rules", None),
    ("producer-slip", "/producer/shipments/{shipment_id}/slip", "producer"),
]


@pytest.mark.parametrize("width", VIEWPORTS)
def test_screenshots_of_the_fixed_pages(site, axe_browser, width):
    out = ARTIFACTS / "a11y"
    out.mkdir(parents=True, exist_ok=True)
    for name, path, who in SHOTS:
        context = axe_browser.new_context(
            viewport=VIEWPORTS[width],
            locale="vi-VN",
            storage_state=site.states[who] if who else None,
        )
        page = context.new_page()
        response = page.goto(site.base + path.format(**site.ids))
        assert response is not None
        assert response.status in (200, 404), name
        page.wait_for_load_state("networkidle")
        assert page.evaluate("document.documentElement.scrollWidth") <= int(width), name
        page.screenshot(path=str(out / f"{name}-{width}.png"), full_page=True)
        context.close()
    # The product page with the keyboard on its photo strip: the focus ring shows.
    context = axe_browser.new_context(viewport=VIEWPORTS[width], locale="vi-VN")
    page = context.new_page()
    page.goto(site.base + PRODUCT)
    page.wait_for_load_state("networkidle")
    page.locator(".gallery-main").focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(out / f"product-gallery-focus-{width}.png"))
    context.close()
