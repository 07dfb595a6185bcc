class ProducerError(Exception):
    pass


class AlreadyMember(ProducerError):
    """The user already works for a producer."""


class StaffCannotJoin(ProducerError):
    """Staff review producers; they never work for one."""


class LastOwner(ProducerError):
    """A producer must keep at least one owner."""


class InvalidTransition(ProducerError):
    pass


class InvitationNotFound(ProducerError):
    """No invitation has this token."""


class NotInvitee(ProducerError):
    """The signed-in user is not the address the invitation was sent to."""


class InvitationClosed(ProducerError):
    """The invitation was accepted, declined or revoked, or it expired."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason  # an InvitationStatus value, or "expired"


class ProductsWithoutWeight(ProducerError):
    """Fees by weight need every product's shipping weight first."""

    def __init__(self, names: list[str]):
        super().__init__(", ".join(names))
        self.names = names
