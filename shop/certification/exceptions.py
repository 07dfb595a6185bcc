class CertificationError(Exception):
    pass


class InvalidTransition(CertificationError):
    """E.g. verifying a certificate that is not pending, revoking one never verified."""


class NotOwnProduct(CertificationError):
    pass
