"""The tax the shop withholds for household producers (Decree 117/2025/NĐ-CP).

When it applies (our reading of the decree, applied as the shop's policy)
-------------------------------------------------------------------------
Decree 117/2025 (in force 1 July 2025) makes an e-commerce platform that has a
payment function withhold VAT and personal income tax for the households and
individuals selling on it, on each transaction whose money it collects, and
declare them monthly. So:

* **card** (Stripe) and **VietQR** transfer orders: the buyer pays the shop's own
  collection account, the shop collects the money: **withheld**;
* **cash on delivery**: the producer's carrier collects the cash for the
  producer, the shop never holds it: **not withheld**; the household declares
  that revenue itself;
* only **households** (``ProducerKind.HOUSEHOLD``, hộ sản xuất / hộ kinh doanh):
  cooperatives and enterprises declare their own taxes. There is no
  "individual" kind: OCOP subjects are organisations and registered households.

``withholding_applies`` is the rule; settlements compute the base from it (in
SQL, with ``SHOP_COLLECTED`` as the filter).

Rates (data, with their source)
-------------------------------
``DECREE_117_GOODS``: distribution and supply of goods, VAT 1 % and PIT 0.5 % of
revenue, Decree 117/2025/NĐ-CP. Everything the OCOP shop sells is goods. The
config keys ``HOUSEHOLD_VAT_BPS`` and ``HOUSEHOLD_PIT_BPS`` default to these and
can follow a later decree without a code change; each settlement stores the
rates it used.

Rounding
--------
Rates are integer basis points (100 bps = 1 %). Each tax is rounded half-up to a
whole đồng on the month's base, with integers only:
``(base * bps + 5000) // 10000`` (settlements.services.part_of). The decree counts
per transaction; withholding on the month's sum differs from summing rounded
transactions by less than half a đồng per transaction, and the statement shows
the base it was computed on.

Open question, not changed here: settlements pay out the gross of COD shipments
too (a COD shipment is "paid" when delivered), which assumes the carrier remits
COD cash to the shop. If producers keep COD cash, the payout must change too.
"""

from dataclasses import dataclass

from shop.orders.models import PaymentMethod
from shop.producers.models import ProducerKind


@dataclass(frozen=True)
class WithholdingRates:
    vat_bps: int
    pit_bps: int
    source: str


DECREE_117_GOODS = WithholdingRates(
    vat_bps=100,  # 1 %
    pit_bps=50,  # 0.5 %
    source="Nghị định 117/2025/NĐ-CP (hiệu lực 01/07/2025): phân phối, cung cấp hàng hoá",
)

# Payment methods whose money the shop itself collects.
SHOP_COLLECTED = frozenset({PaymentMethod.CARD, PaymentMethod.VIETQR})
WITHHELD_KINDS = frozenset({ProducerKind.HOUSEHOLD})


def withholding_applies(kind: ProducerKind, payment_method: PaymentMethod) -> bool:
    """Does the shop withhold VAT and PIT on this producer's sale paid this way?"""
    return kind in WITHHELD_KINDS and payment_method in SHOP_COLLECTED
