"""The read side of settlements: what one settlement's page shows."""

from shop.extensions import db
from shop.settlements import services
from shop.settlements.models import Settlement


def settlement_detail(settlement: Settlement) -> dict:
    return {
        "settlement": settlement,
        "shipments": db.session.execute(services.shipments_of(settlement)).all(),
        "refunds": db.session.execute(services.refunds_of(settlement)).all(),
    }
