"""What the CLI accepts: dates, URLs, waits and ports, checked before anything runs.

Each check is a typer callback or option type that raises `typer.BadParameter`, so a
bad value ends the command with click's one-line "Invalid value for '--since': ..."
and exit code 2, never a traceback or a job queued with nonsense in it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

import typer

#: What `--since` takes; the first two are completed to a full Magento timestamp.
SINCE_FORMATS = ("%Y-%m-%d", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S")


def since_value(value: str | None) -> str | None:
    """'YYYY-MM-DD[ HH:MM[:SS]]' (UTC) as Magento's 'YYYY-MM-DD HH:MM:SS', or an error."""
    if value is None:
        return None
    text = value.strip()
    for fmt in SINCE_FORMATS:
        try:
            parsed = datetime.strptime(text, fmt)
        except ValueError:
            continue
        if parsed > datetime.now(UTC).replace(tzinfo=None):
            raise typer.BadParameter(f"{value!r} is in the future")
        return parsed.strftime("%Y-%m-%d %H:%M:%S")
    raise typer.BadParameter(f"{value!r} is not a date: use YYYY-MM-DD or 'YYYY-MM-DD HH:MM:SS'")


def url_value(value: str | None) -> str | None:
    """An http(s) base URL with a host, without credentials, query or fragment."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        raise typer.BadParameter("a URL is needed, e.g. https://shop.example.com")
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https"):
        raise typer.BadParameter(f"{value!r} is not an http:// or https:// URL")
    try:
        port = parts.port
    except ValueError:
        raise typer.BadParameter(f"{value!r} has an invalid port") from None
    if not parts.hostname or port == 0:
        raise typer.BadParameter(f"{value!r} names no host")
    if parts.username or parts.password:
        raise typer.BadParameter(
            "put no credentials in the URL (they would show in `ps` and the state database); "
            "give them with their own options, environment variables or the prompt"
        )
    if parts.query or parts.fragment:
        raise typer.BadParameter(f"{value!r} is a page, not a base URL: drop the '?' or '#' part")
    return text.rstrip("/")
