"""The schema comes only from migrations: they must agree with the models."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from shop.catalog.search import alembic_include_object
from shop.extensions import db


def test_models_and_migrations_agree(app):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={
                "compare_type": True,
                "render_as_batch": True,
                "include_object": alembic_include_object,
            },
        )
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_taxonomy_is_seeded_by_the_migration(app):
    from sqlalchemy import func, select

    from shop.catalog.models import Industry, ProductSet

    assert db.session.scalar(select(func.count()).select_from(Industry)) == 6
    assert db.session.scalar(select(func.count()).select_from(ProductSet)) == 26
