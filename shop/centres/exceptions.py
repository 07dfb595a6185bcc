"""Typed errors of the sales centres; views turn them into a form message or a 4xx page."""


class CentreError(Exception):
    """A refusal with a message for the person at the screen."""

    def __init__(self, message: str = ""):
        super().__init__(message)
        self.message = message


class CentreShort(CentreError):
    """The centre holds fewer units than the movement takes."""

    def __init__(self, product_id: int, message: str = ""):
        super().__init__(message)
        self.product_id = product_id


class OnlineShort(CentreError):
    """A consignment from the online stock: the online stock holds fewer units."""


class CannotAssign(CentreError):
    """This account cannot become the centre's staff (staff, a producer's member,
    already at a centre, no such account)."""


class NotSellable(CentreError):
    """The till refuses this product: its certificate is not valid today, or the
    label scanned is a replaced one. ``reason`` says which, in words."""

    def __init__(self, message: str, product=None, certificate=None, status=None):
        super().__init__(message)
        self.product, self.certificate, self.status = product, certificate, status


class NotFound(CentreError):
    """Nothing the shop knows answers to what was scanned or typed."""
