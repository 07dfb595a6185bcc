class CatalogError(Exception):
    pass


class ProducerNotVerified(CatalogError):
    """Only verified producers can publish listings."""


class TooManyPhotos(CatalogError):
    pass


class InvalidTransition(CatalogError):
    pass
