class AuthError(Exception):
    """Base of the auth feature's typed errors."""


class EmailTaken(AuthError):
    pass


class InvalidCredentials(AuthError):
    pass


class InvalidResetToken(AuthError):
    pass


class WrongPassword(AuthError):
    pass
