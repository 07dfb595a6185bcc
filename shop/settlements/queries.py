"""The read side of settlements: what one settlement's page shows."""

from shop.centres.queries import till_lines_of_producer
from shop.extensions import db
from shop.reports.periods import Period
from shop.settlements import services
from shop.settlements.models import Settlement


def settlement_detail(settlement: Settlement) -> dict:
    return {
        "settlement": settlement,
        "shipments": db.session.execute(services.shipments_of(settlement)).all(),
        "refunds": db.session.execute(services.refunds_of(settlement)).all(),
        # Sold at the tills of OCOP sales centres in the month (no withholding).
        "till_lines": db.session.execute(
            till_lines_of_producer(
                settlement.producer_id, *Period.month_of(settlement.month).utc_bounds()
            )
        ).all(),
    }
