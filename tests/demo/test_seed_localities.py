"""`flask seed-demo` on a database without localities: it loads them, or names
the command to run; never an AttributeError."""

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select

from shop import create_app
from shop.catalog.models import Product
from shop.extensions import db
from shop.localities.models import Province, Ward


@pytest.fixture
def bare_app(tmp_path):
    """A fresh SQLite database with the schema and the taxonomy, and no localities."""
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'bare.db'}",
            "UPLOAD_FOLDER": str(tmp_path / "uploads"),
            "MAIL_FILE_DIR": str(tmp_path / "mail"),
        }
    )
    with app.app_context():
        upgrade()
        assert db.session.scalar(select(func.count()).select_from(Province)) == 0
        yield app
        db.session.remove()
        db.engine.dispose()


def test_seed_demo_loads_the_localities_it_needs(bare_app):
    result = bare_app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert result.exception is None
    assert "No localities yet: loaded 34 provinces" in result.output
    assert db.session.scalar(select(func.count()).select_from(Province)) == 34
    assert db.session.scalar(select(func.count()).select_from(Product)) >= 40


def test_seed_demo_names_the_command_when_its_communes_are_missing(bare_app):
    db.session.add(
        Province(
            code=1,
            name="Thành phố Hà Nội",
            codename="ha_noi",
            division_type="thành phố trung ương",
            data_version="test",
        )
    )
    db.session.commit()
    result = bare_app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 1
    assert not isinstance(result.exception, AttributeError)
    assert "flask --app wsgi load-localities" in result.output
    assert db.session.scalar(select(func.count()).select_from(Ward)) == 0
    assert db.session.scalar(select(func.count()).select_from(Product)) == 0
