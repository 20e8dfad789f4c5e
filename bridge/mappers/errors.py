"""The one error a mapper raises: the payload cannot be mapped, and why."""


class MappingError(ValueError):
    """Bad input: the record is kept in a failed log with this message as the reason."""
