import pytest

from tests.centres import helpers


@pytest.fixture
def centre(app):
    return helpers.make_centre()


@pytest.fixture
def cashier(centre):
    return helpers.make_cashier(centre, email="thungan@example.vn")
