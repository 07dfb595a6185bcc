class ProductUnavailable(Exception):
    """The product has no public page (unknown, unpublished, or its producer not verified)."""


class NotSoldOut(Exception):
    """A back-in-stock alert for a product that can be bought now, or not at all."""


class InvalidConfirmation(Exception):
    """A back-in-stock confirmation link that was not signed by the shop."""


class ConfirmationExpired(InvalidConfirmation):
    """A genuine confirmation link, too old: the request lapsed, nothing was stored."""

    def __init__(self, product_id: int | None) -> None:
        super().__init__(product_id)
        self.product_id = product_id
