class ProducerError(Exception):
    pass


class AlreadyMember(ProducerError):
    """The user already works for a producer."""


class UnknownUser(ProducerError):
    pass


class LastOwner(ProducerError):
    """A producer must keep at least one owner."""


class InvalidTransition(ProducerError):
    pass
