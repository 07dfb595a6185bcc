"""The OCOP marketplace. ``create_app`` is the only place an app is built."""

from pathlib import Path

from flask import Flask

from config import config_for


def create_app(test_config: dict | None = None) -> Flask:
    config_class = config_for("testing" if test_config is not None else None)
    config_class.validate()
    app = Flask(
        __name__,
        template_folder="../templates",
        static_folder="../static",
        instance_path=str(Path(__file__).resolve().parent.parent / "instance"),
    )
    app.config.from_object(config_class)
    if test_config:
        app.config.update(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if app.config["TRUSTED_PROXIES"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]  # Flask documents this
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops
        )

    from shop import observability
    from shop.core import chrome, privacy, static_urls

    observability.register(app)  # first: request ids for every hook; its timing closes last
    static_urls.register(app)
    chrome.register(app)
    privacy.register(app)  # before security, so that its after_request hook runs after security's
    register_security(app)  # first: it installs the URL converter the routes use
    register_extensions(app)
    register_edge_cache(app)  # after the extensions: its after_request hook runs before theirs
    register_blueprints(app)
    register_jobs(app)
    register_reactions()
    register_template_helpers(app)
    register_errorhandlers(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    from shop import storage
    from shop.auth.session import load_user
    from shop.extensions import babel, cache, csrf, db, limiter, login_manager, migrate
    from shop.i18n import select_locale
    from shop.storefront import generation as catalog_generation

    db.init_app(app)
    catalog_generation.install_session_hooks(db.session)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
    cache.init_app(app)
    # current_user reaches templates as the lazy proxy (inject_globals): Flask-Login's
    # own context processor would load the user, reading the session, on every page.
    login_manager.init_app(app, add_context_processor=False)
    login_manager.user_loader(load_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = "basic"
    storage.init_app(app)


def register_blueprints(app: Flask) -> None:
    import shop.audit.models
    import shop.cart.models
    import shop.jobs.models
    import shop.payments.models
    import shop.promotion.models
    import shop.rating.models
    import shop.settlements.models  # noqa: F401
    from shop.accounts.session import bp as visitor_bp
    from shop.accounts.views import bp as auth_bp
    from shop.audit.staff import bp as audit_staff_bp
    from shop.cart.views import bp as cart_bp
    from shop.catalog.producer import bp as catalog_bp
    from shop.catalog.staff import bp as catalog_staff_bp
    from shop.centres.centre import bp as centres_bp
    from shop.centres.producer import bp as centres_producer_bp
    from shop.centres.staff import bp as centres_staff_bp
    from shop.certification.producer import bp as certification_bp
    from shop.certification.staff import bp as certification_staff_bp
    from shop.certification.views import bp as verify_bp
    from shop.checkout.views import bp as checkout_bp
    from shop.core.views import bp as core_bp
    from shop.feeds.views import bp as feeds_bp
    from shop.jobs.staff import bp as jobs_staff_bp
    from shop.labels.staff import bp as labels_staff_bp
    from shop.labels.views import bp as labels_bp
    from shop.legal.staff import bp as legal_staff_bp
    from shop.legal.views import bp as legal_bp
    from shop.localities.views import bp as localities_bp
    from shop.orders.staff import bp as staff_orders_bp
    from shop.orders.views import bp as orders_bp
    from shop.payments.staff import bp as staff_payments_bp
    from shop.payments.views import bp as payments_bp
    from shop.payments.webhooks import bp as stripe_webhook_bp
    from shop.producers.producer import bp as producers_bp
    from shop.producers.staff import bp as producers_staff_bp
    from shop.promotion.staff import bp as promotion_staff_bp
    from shop.promotion.views import bp as campaigns_bp
    from shop.rating.producer import bp as rating_producer_bp
    from shop.rating.staff import bp as rating_staff_bp
    from shop.reports.staff import bp as reports_bp
    from shop.reviews.producer import bp as reviews_producer_bp
    from shop.reviews.staff import bp as reviews_staff_bp
    from shop.reviews.views import bp as reviews_bp
    from shop.seo.views import bp as seo_bp
    from shop.settlements.producer import bp as settlements_producer_bp
    from shop.settlements.staff import bp as settlements_bp
    from shop.storefront.views import bp as storefront_bp
    from shop.tokens.producer import bp as tokens_bp
    from shop.webhooks.producer import bp as webhooks_producer_bp
    from shop.wishlist.views import bp as wishlist_bp

    for bp in (
        core_bp,
        visitor_bp,
        auth_bp,
        localities_bp,
        producers_bp,
        producers_staff_bp,
        storefront_bp,
        catalog_bp,
        catalog_staff_bp,
        certification_bp,
        certification_staff_bp,
        promotion_staff_bp,
        verify_bp,
        labels_bp,
        labels_staff_bp,
        campaigns_bp,
        cart_bp,
        checkout_bp,
        orders_bp,
        staff_orders_bp,
        staff_payments_bp,
        jobs_staff_bp,
        payments_bp,
        stripe_webhook_bp,
        reports_bp,
        settlements_bp,
        settlements_producer_bp,
        legal_bp,
        legal_staff_bp,
        seo_bp,
        feeds_bp,
        audit_staff_bp,
        reviews_bp,
        reviews_producer_bp,
        reviews_staff_bp,
        wishlist_bp,
        rating_producer_bp,
        rating_staff_bp,
        tokens_bp,
        webhooks_producer_bp,
        centres_bp,
        centres_producer_bp,
        centres_staff_bp,
    ):
        app.register_blueprint(bp)
    register_api(app)


def register_api(app: Flask) -> None:
    from shop import api

    api.register(app)


def register_jobs(app: Flask) -> None:
    from shop.jobs import celery_init_app
    from shop.jobs.periodic import register_periodic
    from shop.jobs.services import register_handler
    from shop.mail import deliver_mail
    from shop.orders import emails as order_emails
    from shop.orders.services import ORDER_CANCELLED
    from shop.payments import tasks as payment_tasks
    from shop.payments.services import CARD_REFUND
    from shop.schedule import periodic_jobs
    from shop.uploads import make_thumbnails_job
    from shop.webhooks import services as webhooks
    from shop.webhooks import tasks as webhook_tasks

    # What beat fires, each claimed once per period (before Celery reads the table).
    for job in periodic_jobs():
        register_periodic(job)
    celery_init_app(app)
    # What runs after the commit, by outbox kind (shop/jobs/services.py: enqueue).
    register_handler("mail", deliver_mail)
    register_handler("thumbnails", make_thumbnails_job)
    register_handler(order_emails.ORDER_PLACED, order_emails.send_order_placed)
    register_handler(ORDER_CANCELLED, payment_tasks.on_order_cancelled)
    register_handler(CARD_REFUND, payment_tasks.submit_queued_refund)
    register_handler(webhooks.KIND, webhook_tasks.deliver_webhook)


def register_reactions() -> None:
    """A package's reaction to a change in a package below it: the lower one sends
    a signal, the higher one listens, so imports still point down."""
    from shop.catalog import producer as catalog_producer
    from shop.catalog.services import refresh_producer_products
    from shop.centres.services import release_pickup
    from shop.certification.queries import certificate_on_product_form, standings_of
    from shop.orders import events as order_events
    from shop.producers.services import profile_changed
    from shop.webhooks import services as webhooks

    profile_changed.connect(refresh_producer_products)
    catalog_producer.product_form_shown.connect(certificate_on_product_form)
    catalog_producer.products_listed.connect(standings_of)
    # A producer's webhooks are queued in the transaction of the order's change.
    order_events.order_placed.connect(webhooks.on_order_placed)
    order_events.state_changed.connect(webhooks.on_state_changed)
    # A cancelled pick-up's units go back to the sales centre's shelf, in the same transaction.
    order_events.pickup_released.connect(release_pickup)


def register_template_helpers(app: Flask) -> None:
    from shop.catalog.gallery import cover_thumbs, photo_srcset
    from shop.catalog.menu import catalog_menu, menu_trail
    from shop.centres.rules import display_pickup_code
    from shop.centres.services import centre_by_id
    from shop.certification.queries import certificate_pending
    from shop.core.views import media_url
    from shop.formfields import error_texts
    from shop.i18n import format_date_vn, format_datetime_vn
    from shop.labels.services import labels_printed
    from shop.money import format_vnd
    from shop.orders.slip import order_qr_svg
    from shop.rating.queries import due_reratings
    from shop.reviews.views import register_template_helpers as register_review_helpers
    from shop.seo import register as register_seo
    from shop.storefront.related import related_for, related_section
    from shop.wishlist.views import register_template_globals as register_wishlist

    app.jinja_env.filters["pickup_code"] = display_pickup_code
    # The order page (payments, orders) shows a pick-up's centre without importing centres.
    app.jinja_env.globals["pickup_centre"] = centre_by_id
    app.jinja_env.globals["pickup_qr_svg"] = order_qr_svg
    app.jinja_env.filters["vnd"] = format_vnd
    app.jinja_env.filters["error_texts"] = error_texts
    app.jinja_env.filters["date_vn"] = format_date_vn
    app.jinja_env.filters["datetime_vn"] = format_datetime_vn
    app.jinja_env.globals["media_url"] = media_url
    # Pages of a lower area that show a figure from a higher one (the staff
    # certificate page counts its printed labels) get it here, not by an import.
    app.jinja_env.globals["labels_printed"] = labels_printed
    app.jinja_env.globals["catalog_menu"] = catalog_menu
    app.jinja_env.globals["menu_trail"] = menu_trail
    app.jinja_env.globals["photo_srcset"] = photo_srcset
    app.jinja_env.globals["cover_thumbs"] = cover_thumbs
    # The product page tells a certificate waiting for verification from none at all.
    app.jinja_env.globals["certificate_pending"] = certificate_pending
    register_seo(app)
    register_review_helpers(app)
    register_wishlist(app)  # wishlisted() for the catalogue's pages
    app.jinja_env.globals["related_products"] = related_for
    app.jinja_env.globals["related_section"] = related_section
    # The producer's dashboard (certification) offers the re-ratings due (rating).
    app.jinja_env.globals["reratings_due"] = due_reratings

    @app.context_processor
    def inject_globals() -> dict:
        from flask_login import current_user

        from shop.i18n import current_language

        return {
            "languages": app.config["LANGUAGES"],
            "current_language": current_language(),
            "current_user": current_user,  # loaded only by a template that uses it
        }


def register_edge_cache(app: Flask) -> None:
    """The language in the address and pages an edge cache may serve to everyone."""
    from shop import i18n
    from shop.core import edge

    i18n.init_app(app)
    edge.register(app)


def register_errorhandlers(app: Flask) -> None:
    from shop.core.errors import register

    register(app)


def register_commands(app: Flask) -> None:
    from shop.auth.cli import create_user_command
    from shop.catalog.cli import reindex_search_command
    from shop.demo.cli import seed_bulk_command, seed_demo_command
    from shop.jobs.cli import jobs_cli
    from shop.localities.cli import load_localities_command
    from shop.orders.cli import orders_cli
    from shop.payments.cli import payments_cli
    from shop.promotion.cli import ocop_cli
    from shop.rating.cli import rating_cli
    from shop.settlements.cli import settlements_cli
    from shop.tokens.cli import tokens_cli
    from shop.wishlist.cli import wishlist_cli

    for command in (
        create_user_command,
        load_localities_command,
        reindex_search_command,
        seed_demo_command,
        seed_bulk_command,
        ocop_cli,
        rating_cli,
        orders_cli,
        payments_cli,
        settlements_cli,
        jobs_cli,
        wishlist_cli,
        tokens_cli,
    ):
        app.cli.add_command(command)


def register_security(app: Flask) -> None:
    from shop.security import install_security_headers

    install_security_headers(app)
