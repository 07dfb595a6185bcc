class CatalogError(Exception):
    pass


class ProducerNotVerified(CatalogError):
    """Only verified producers can publish listings."""


class TooManyPhotos(CatalogError):
    pass


class InvalidTransition(CatalogError):
    pass


class AbvRequired(CatalogError):
    """A product of an alcoholic product set must declare its alcohol content."""


class GtinTaken(CatalogError):
    """The GTIN belongs to another producer, and staff have not granted it."""

    def __init__(self, gtin: str, owner_id: int):
        super().__init__(gtin)
        self.gtin = gtin
        self.owner_id = owner_id


class GtinGrantError(CatalogError):
    """A grant staff cannot make; ``message`` is for people."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
