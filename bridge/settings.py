"""Settings, read from the environment (prefix BRIDGE_) or a `.env` file.

Options read:

- ``BRIDGE_DATABASE_URL``: SQLAlchemy URL of the state database.
  Default: a SQLite file ``bridge.sqlite3`` in ``BRIDGE_DATA_DIR``.
- ``BRIDGE_BROKER_URL``: Celery broker, e.g. ``redis://127.0.0.1:6379/0``.
  Default: ``redis://127.0.0.1:6379/0``. ``memory://`` runs the embedded broker.
- ``BRIDGE_SECRET_KEY``: key(s) encrypting credentials at rest; a Fernet key or any
  passphrase, several separated by commas to rotate (the first encrypts).
  Default: a key generated once into ``BRIDGE_DATA_DIR/secret.key`` (mode 0600).
- ``BRIDGE_DATA_DIR``: where the default database and key live. Default ``~/.local/share/bridge``.
- ``BRIDGE_TASK_TIME_LIMIT``: hard limit in seconds for one task. Default 600.
- ``BRIDGE_RETRY_MAX``: retries of a retryable error before the log fails. Default 8.
- ``BRIDGE_RETRY_BACKOFF_BASE``: seconds before the first retry, doubled each time. Default 5.
- ``BRIDGE_RETRY_BACKOFF_MAX``: cap in seconds of one retry countdown. Default 600.
- ``BRIDGE_HTTP_TIMEOUT``: seconds for one call to Magento, and for one cheap Odoo call
  (reads, searches, logins). Default 30.
- ``BRIDGE_HTTP_RETRY_ATTEMPTS``: tries of one idempotent request to Magento or Odoo that
  meets a transient fault (5xx, 429, timeout, dropped connection), the first included,
  before the task-level retry takes over (`bridge.clients.retries`). Default 5; 1 turns
  per-request retries off.
- ``BRIDGE_HTTP_RETRY_TOTAL``: seconds after the first try from which no new try of that
  request starts. Default 60.
- ``BRIDGE_HTTP_RETRY_BACKOFF``: ceiling in seconds of the first wait between tries,
  doubled each time, full jitter below it. Default 0.5.
- ``BRIDGE_HTTP_RETRY_BACKOFF_MAX``: cap in seconds of one wait's ceiling. Default 8.
- ``BRIDGE_HTTP_RETRY_AFTER_MAX``: longest `Retry-After` waited out inside a request;
  a longer one is left to the task-level retry. Default 30.
- ``BRIDGE_ODOO_BUSINESS_TIMEOUT``: seconds for one Odoo business call (create, write,
  `action_confirm`, `action_post`, the invoicing and payment wizards). Default 120: the
  slowest batched call of a page of 100 orders costs a real Odoo 18 about 18 s
  (`action_confirm`; payments go in chunks of ``BRIDGE_ODOO_PAYMENT_CHUNK``), up to 30 s
  on a loaded one, so 120 s leaves 4x headroom; raise it with the page size.
- ``BRIDGE_ODOO_CALL_WINDOW``: seconds a business call Bridge gave up on (timeout, lost
  connection) may still be running, and commit, in Odoo. A retried step waits and looks
  that long before it sends the call again (bridge/sync/orders/steps.py). Default 180
  (above Odoo's own `limit_time_real` of 120 s).
- ``BRIDGE_ODOO_PAYMENT_CHUNK``: invoices per payment wizard. Default 25 (about 7 s on a
  real Odoo 18, far below the business timeout).
- ``BRIDGE_ODOO_SLOT_WAIT``: seconds an order page waits for one of its connection's Odoo
  slots (``odoo_parallel_pages``) before it is retried later. Default 300.
- ``BRIDGE_VISIBILITY_TIMEOUT``: seconds before Redis hands an unacknowledged task (its
  worker died) to another worker. Default: the longest retry countdown plus the task
  time limit plus 5 minutes (1,500 s). Keep it above the first two (`celeryconfig.py`
  says why); beat's reaper resends a dead worker's work within minutes anyway.
- ``BRIDGE_HEARTBEAT_SECONDS``: how often a running task refreshes its log's heartbeat.
  Default 20.
- ``BRIDGE_REAP_RUNNING_AFTER``: seconds without a heartbeat after which beat's reaper
  sends a running log again (its task died). Default 120.
- ``BRIDGE_REAP_QUEUED_AFTER``: seconds after its message was due after which the reaper
  sends a queued log again (its message was lost). Default 300.
- ``BRIDGE_PRODUCT_BULK_MIN``: products waiting at once from which an export goes
  through Magento's asynchronous bulk API instead of one save per product. Default 50.
- ``BRIDGE_PRODUCT_FLUSH_DELAY``: seconds between Odoo's product webhook and the export
  of the drafts, so a burst of edits coalesces into one Magento write. Default 2.
- ``BRIDGE_WEBHOOK_MAX_BYTES``: the largest event body `bridge serve` reads; a larger one
  is answered 413 before it is read whole. Default 1048576 (1 MiB).

Read elsewhere, not by Bridge itself:

- ``BRIDGE_MAGENTO_FIXTURES`` (the Magento sandbox, `sandbox/magento/seed/recordings.py`,
  and the tests' outside-evidence group): the directory holding recorded Magento answers
  and Adobe's REST schema. Optional; the sandbox's default seed is the project's own.
- ``BRIDGE_TEST_*`` and ``BRIDGE_REQUIRE_EVIDENCE``: the test suite (tests/conftest.py,
  tests/evidence.py, tests/odoo_fixtures.py).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BRIDGE_", env_file=".env", extra="ignore")

    data_dir: Path = Field(default_factory=lambda: Path.home() / ".local" / "share" / "bridge")
    database_url: str | None = None
    broker_url: str = "redis://127.0.0.1:6379/0"
    secret_key: SecretStr | None = None
    task_time_limit: int = 600
    product_bulk_min: int = 50
    product_flush_delay: float = 2.0
    retry_max: int = 8
    retry_backoff_base: float = 5.0
    retry_backoff_max: int = 600
    http_timeout: float = 30.0
    http_retry_attempts: int = Field(default=5, ge=1)
    http_retry_total: float = Field(default=60.0, ge=0)
    http_retry_backoff: float = Field(default=0.5, ge=0)
    http_retry_backoff_max: float = Field(default=8.0, ge=0)
    http_retry_after_max: float = Field(default=30.0, ge=0)
    odoo_business_timeout: float = 120.0
    odoo_call_window: float = 180.0
    odoo_payment_chunk: int = 25
    odoo_slot_wait: float = 300.0
    visibility_timeout: int | None = None
    webhook_max_bytes: int = 1_048_576
    heartbeat_seconds: float = 20.0
    reap_running_after: float = 120.0
    reap_queued_after: float = 300.0

    @property
    def db_url(self) -> str:
        if self.database_url:
            return normalize_db_url(self.database_url)
        return f"sqlite:///{self.data_dir / 'bridge.sqlite3'}"

    @property
    def secret_key_file(self) -> Path:
        return self.data_dir / "secret.key"


def normalize_db_url(url: str) -> str:
    """Plain ``postgresql://`` means psycopg2 here (SQLAlchemy 2.1 would pick psycopg 3)."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg2://" + url.split("://", 1)[1]
    return url


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def reload_settings() -> Settings:
    """Forget cached settings (the demo and tests change the environment)."""
    get_settings.cache_clear()
    return get_settings()
