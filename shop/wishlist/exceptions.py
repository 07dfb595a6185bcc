class ProductUnavailable(Exception):
    """The product has no public page (unknown, unpublished, or its producer not verified)."""


class NotSoldOut(Exception):
    """A back-in-stock alert for a product that can be bought now, or not at all."""
