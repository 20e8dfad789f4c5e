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


class PermanentError(ClientError):
    """The same call will fail again until a person changes something."""


class AuthenticationError(PermanentError):
    """Credentials were refused."""


class NotFoundError(PermanentError):
    """The record, endpoint or database does not exist."""


class ValidationError(PermanentError):
    """The other side refused the data."""
