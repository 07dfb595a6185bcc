"""Signals of an order's life, for the areas above that react to it (create_app
connects them). Each is sent inside the transaction that makes the change, after
the change is flushed or set: a receiver writes its own effects (an outbox row)
in that transaction, so a rollback takes them too and nothing leaves before the
commit. Receivers must not commit.

- ``order_placed``: sender the new Order, flushed; ``shipments`` its Shipments
  (``checkout.services.place_order``, once per order: not for a double submit).
- ``state_changed``: sender the Order or Shipment that ``states.transition`` just
  moved; keyword arguments ``subject`` ("order", "payment", "shipment"),
  ``source``, ``target`` and ``reason``.
"""

from blinker import Namespace

_signals = Namespace()

order_placed = _signals.signal("order-placed")
state_changed = _signals.signal("order-state-changed")
