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
- ``pickup_released``: sender the cancelled pick-up Shipment; ``lines`` its
  ``(product id, quantity)`` pairs. Its units were taken from the sales centre's
  stock, not the online stock, so they go back there (the centres package
  listens; it must, or the units would be lost: the sender checks a receiver ran).
"""

from blinker import Namespace

_signals = Namespace()

order_placed = _signals.signal("order-placed")
state_changed = _signals.signal("order-state-changed")
pickup_released = _signals.signal("pickup-released")
