"""The errors a client may raise. Nothing else escapes a client.

    BridgeError
    └── ClientError                 a call to Magento or Odoo did not succeed
        ├── RetryableError          try again later: timeouts, dropped connections,
        │                           429 (with `retry_after`), 5xx, Odoo serialization
        │                           failures and concurrent updates
        └── PermanentError          the same call will fail again until a person acts:
            ├── AuthenticationError bad credentials, expired or revoked token
            ├── NotFoundError       the record, URL or database does not exist
            └── ValidationError     the other side refused the data (4xx, Odoo
                                    ValidationError / UserError / AccessError)

Every error carries a one-line `message` a merchant can act on; secrets never
appear in it.
"""

from __future__ import annotations


class BridgeError(Exception):
    """Root of every error Bridge raises on purpose."""


class ClientError(BridgeError):
    """A call to Magento or Odoo did not succeed."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        kind: str | None = None,
        details: object = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        #: HTTP status, when there was an answer.
        self.status = status
        #: The other side's own name for the error, e.g. "odoo.exceptions.UserError".
        self.kind = kind
        #: The raw error body, kept for the sync log (never shown by default).
        self.details = details

    def __str__(self) -> str:
        return self.message


class RetryableError(ClientError):
    """Transient: the same call may succeed later."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: object) -> None:
        super().__init__(message, **kw)  # type: ignore[arg-type]
        #: Seconds the server asked us to wait (HTTP Retry-After), if it said.
        self.retry_after = retry_after


#: `kind` of a RetryableError with no answer: the request may have reached the server
#: (timed out, connection lost) or surely did not (refused).
TIMED_OUT, LOST, REFUSED = "timeout", "connection lost", "connection refused"


def outcome_unknown(exc: BaseException) -> bool:
    """True when a call failed without an answer that says it did nothing: the server
    may still be running it, and commit it later (a timeout, a dropped connection, a
    gateway giving up). An error Odoo answered (even a serialization failure) means it
    rolled the call back."""
    if not isinstance(exc, RetryableError):
        return False
    return exc.kind in (TIMED_OUT, LOST) or exc.status in (502, 504)


class PermanentError(ClientError):
    """The same call will fail again until a person changes something."""


class AuthenticationError(PermanentError):
    """Credentials were refused."""


class NotFoundError(PermanentError):
    """The record, endpoint or database does not exist."""


class ValidationError(PermanentError):
    """The other side refused the data."""
