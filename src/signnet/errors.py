"""The base of every error signnet reports to a user as a message rather than a traceback."""


class SignnetError(ValueError):
    """Bad input (a parameter, file or archive): the message says what and what is allowed."""
