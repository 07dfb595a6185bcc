class TokenError(Exception):
    """Base of the token errors."""


class NotOwner(TokenError):
    """Only an owner of the producer creates and revokes its tokens."""


class AlreadyRevoked(TokenError):
    pass


class NoScope(TokenError):
    """A token needs at least one scope."""
