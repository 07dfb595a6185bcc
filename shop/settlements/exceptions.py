class SettlementError(Exception):
    """A settlement action that cannot be done; ``message`` is for people."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class AlreadyPaid(SettlementError):
    pass


class FiguresChanged(SettlementError):
    """Money moved since the draft was computed: staff must look again before paying."""


class MissingTaxId(SettlementError):
    """A household has no tax code or CCCD yet: it cannot be paid (our policy)."""
