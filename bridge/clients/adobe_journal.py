"""Adobe I/O Events journaling API: the registration's events, pulled from a position.

    GET <journal URL>[?since=<position>&limit=N]
        Authorization: Bearer <IMS access token>, x-api-key: <client id>
    200 {"events": [{"position": "...", "event": {...CloudEvent...}}, ...],
         "_page": {"last": "<position of the last event>", "count": N}}
        Link: <...?since=<last>>; rel="next"
    204 no newer events (Link rel="next" and Retry-After still given)

Positions are opaque: the one to resume from is `_page.last` (equivalently the `since`
of the `rel="next"` link). The IMS token comes from OAuth server-to-server credentials
(`POST <ims>/ims/token/v3`, grant `client_credentials`) and is reused until shortly
before it expires. Errors map as the other clients': 401/403 -> AuthenticationError,
429 and 5xx and no answer -> RetryableError.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

import requests

from bridge.clients.errors import AuthenticationError, PermanentError, RetryableError

ADOBE_IMS_URL = "https://ims-na1.adobelogin.com"
DEFAULT_SCOPES = "AdobeID,openid,read_organizations,adobeio_api,event_receiver_api"


@dataclass(frozen=True)
class JournalPage:
    #: (position, CloudEvent) in journal order.
    events: list[tuple[str, Any]]
    #: Where to resume: the last event's position (None: nothing newer, keep yours).
    last: str | None
    retry_after: float | None = None


@dataclass
class _Token:
    value: str = ""
    expires_at: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)


def _retry_after(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None


class JournalClient:
    def __init__(
        self,
        journal_url: str,
        client_id: str,
        client_secret: str,
        *,
        ims_url: str = ADOBE_IMS_URL,
        scopes: str = DEFAULT_SCOPES,
        timeout: float = 30.0,
    ) -> None:
        self.journal_url = journal_url
        self.client_id = client_id
        self._secret = client_secret
        self.ims_url = ims_url.rstrip("/")
        self.scopes = scopes
        self.timeout = timeout
        self._token = _Token()
        self.session = requests.Session()

    def __repr__(self) -> str:
        return f"<JournalClient {self.journal_url} client={self.client_id}>"

    def _access_token(self) -> str:
        with self._token.lock:
            if self._token.value and time.time() < self._token.expires_at - 60:
                return self._token.value
            answer = self._send(
                "POST",
                f"{self.ims_url}/ims/token/v3",
                data={
                    "grant_type": "client_credentials",
                    "client_id": self.client_id,
                    "client_secret": self._secret,
                    "scope": self.scopes,
                },
            )
            body = answer.json()
            self._token.value = str(body["access_token"])
            self._token.expires_at = time.time() + float(body.get("expires_in") or 3600)
            return self._token.value

    def _send(self, method: str, url: str, **kw: Any) -> requests.Response:
        try:
            answer = self.session.request(method, url, timeout=self.timeout, **kw)
        except requests.RequestException as exc:
            raise RetryableError(f"{url.split('?')[0]} did not answer: {exc}") from exc
        where = url.split("?")[0]
        if answer.status_code in (401, 403):
            raise AuthenticationError(
                f"{where} refused the credentials ({answer.status_code})", status=answer.status_code
            )
        if answer.status_code == 429 or answer.status_code >= 500:
            raise RetryableError(
                f"{where} answered {answer.status_code}",
                status=answer.status_code,
                retry_after=_retry_after(answer.headers.get("Retry-After")),
            )
        if answer.status_code >= 400:
            raise PermanentError(f"{where} answered {answer.status_code}: {answer.text[:200]}")
        return answer

    def read(self, since: str | None, limit: int = 100) -> JournalPage:
        """The events after `since` (None: the oldest the journal still holds)."""
        params: dict[str, Any] = {"limit": limit}
        if since:
            params["since"] = since
        headers = {"Authorization": f"Bearer {self._access_token()}", "x-api-key": self.client_id}
        answer = self._send("GET", self.journal_url, params=params, headers=headers)
        retry_after = _retry_after(answer.headers.get("Retry-After"))
        if answer.status_code == 204 or not answer.content:
            return JournalPage([], None, retry_after)
        try:
            body = answer.json()
            events = [(str(e["position"]), e["event"]) for e in body.get("events") or []]
        except (ValueError, KeyError, TypeError) as exc:
            raise PermanentError(f"the journal answered something unreadable: {exc}") from exc
        last = (body.get("_page") or {}).get("last") or (events[-1][0] if events else None)
        return JournalPage(events, str(last) if last else None, retry_after)
