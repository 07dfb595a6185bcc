class CertificationError(Exception):
    pass


class InvalidTransition(CertificationError):
    """E.g. verifying a certificate that is not pending, revoking one never verified."""


class NotOwnProduct(CertificationError):
    pass


class InvalidLegalBasis(CertificationError):
    """The issuer level or legal basis does not fit the rules in force on the decision date."""

    def __init__(self, reasons):
        super().__init__("; ".join(str(r) for r in reasons))
        self.reasons = tuple(reasons)


class NeedsConfirmation(CertificationError):
    """A transition case (an old basis after a new one, a merged province): possible,
    so someone must confirm it against the decision."""

    def __init__(self, warnings):
        super().__init__("; ".join(str(w) for w in warnings))
        self.warnings = tuple(warnings)


class InvalidEndDate(CertificationError):
    pass
