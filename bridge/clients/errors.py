"""The errors a client may raise. Nothing else escapes a client.

    BridgeError
    └── ClientError                 a call to Magento or Odoo did not succeed
        ├── RetryableError          try again later: timeouts, dropped connections,
        │   │                       429 (with `retry_after`), 5xx, Odoo serialization
        │   │                       failures and concurrent updates
        │   └── OutcomeUnknownError a write Bridge cannot safely repeat was sent and no
        │                           answer came (timeout, dropped connection): it may
        │                           have been applied, so look before repeating it
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

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        sent: bool = True,
        answered: bool = True,
        tries: int = 0,
        **kw: object,
    ) -> None:
        super().__init__(message, **kw)  # type: ignore[arg-type]
        #: Seconds the server asked us to wait (HTTP Retry-After), if it said.
        self.retry_after = retry_after
        #: False when the request never left (connection refused, host not found, connect
        #: timeout): repeating it is safe whatever it does.
        self.sent = sent
        #: False when it was sent and no answer came (read timeout, dropped connection):
        #: the other side may have acted on it.
        self.answered = answered
        #: Tries the client made before giving up (0: no retry layer has seen it yet).
        self.tries = tries


class OutcomeUnknownError(RetryableError):
    """A request that is not safe to repeat got no answer; it may have been applied.

    The client does not repeat it; a caller (or the task-level retry, whose use cases
    read before they write) must look at the other side before sending it again.
    """


#: `kind` of a RetryableError with no answer: the request may have reached the server
#: (timed out, connection lost) or surely did not (refused).
TIMED_OUT, LOST, REFUSED = "timeout", "connection lost", "connection refused"


def outcome_unknown(exc: BaseException) -> bool:
    """True when a call failed without an answer that says it did nothing: the server
    may still be running it, and commit it later (a timeout, a dropped connection, a
    gateway giving up). An error Odoo answered (even a serialization failure) means it
    rolled the call back."""
    if not isinstance(exc, RetryableError) or not exc.sent:
        return False  # never left (refused, connect timeout): nothing can be running
    if isinstance(exc, OutcomeUnknownError) or not exc.answered:
        return True
    return exc.kind in (TIMED_OUT, LOST) or exc.status in (502, 504)


class PermanentError(ClientError):
    """The same call will fail again until a person changes something."""


class AuthenticationError(PermanentError):
    """Credentials were refused."""


class NotFoundError(PermanentError):
    """The record, endpoint or database does not exist."""


class ValidationError(PermanentError):
    """The other side refused the data."""
