"""An in-process Odoo stand-in speaking Odoo's real wire protocols (see `app.py`)."""

from __future__ import annotations

from typing import Any

from sandbox.faults import FaultMiddleware, Faults
from sandbox.odoo.app import OdooApp, Settings
from sandbox.odoo.cost import CostModel
from sandbox.odoo.registry import Database
from sandbox.server import SandboxServer


class OdooSandbox:
    """An Odoo server on loopback: `with OdooSandbox() as odoo: OdooClient(odoo.url, ...)`."""

    def __init__(
        self,
        port: int = 0,
        host: str = "127.0.0.1",
        version: str = "18.0",
        db: str = "bridge",
        login: str = "admin",
        password: str = "admin",
        api_key: str = "sandbox-api-key",
        login_cost: float | None = None,
        cost_scale: float | None = None,
        workers: int | None = None,
    ) -> None:
        """`login_cost`: seconds one password check costs, as a real Odoo 18 spends
        hashing it (see credentials.py); None = BRIDGE_SANDBOX_ODOO_LOGIN_COST, else 0.9.
        `cost_scale`: the server-cost model (cost.py), 1 = a real Odoo 18's, 0 = off;
        None = BRIDGE_SANDBOX_ODOO_COST_SCALE, else off. `workers`: Odoo HTTP workers
        the calls share (None = BRIDGE_SANDBOX_ODOO_WORKERS, else 2)."""
        self.settings = Settings(
            version, db, login, password, api_key, login_cost, cost_scale, workers
        )
        self.app = OdooApp(self.settings)
        self.faults = Faults()
        self._server = SandboxServer(FaultMiddleware(self.app, self.faults), host, port)

    @property
    def url(self) -> str:
        return self._server.url

    @property
    def port(self) -> int:
        return self._server.port

    @property
    def db(self) -> Database:
        """The live database, for read-only inspection in tests."""
        return self.app.db

    def records(self, model: str) -> list[dict[str, Any]]:
        with self.app.db.lock:
            return [dict(r) for r in self.app.db.tables[model].values()]

    def inject_serialization_failure(
        self, count: int = 1, model: str | None = None, method: str | None = None
    ) -> None:
        self.app.inject_serialization_failure(count, model, method)

    @property
    def login_cost(self) -> float:
        return self.app.credentials.cost

    @login_cost.setter
    def login_cost(self, seconds: float) -> None:
        self.app.credentials.cost = max(0.0, float(seconds))

    @property
    def cost(self) -> CostModel:
        """The server-cost model: `configure(scale, workers, costs)`, `stats()`."""
        return self.app.cost

    @property
    def password_checks(self) -> int:
        """Password (and API key) hashes verified so far: what logins cost."""
        return self.app.credentials.checks

    def reset(self) -> None:
        self.app.reset()
        self.faults.reset()

    def start(self) -> OdooSandbox:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def __enter__(self) -> OdooSandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve(
    port: int,
    host: str = "127.0.0.1",
    version: str = "18.0",
    login_cost: float | None = None,
    cost_scale: float | None = None,
    workers: int | None = None,
) -> None:
    """Run in the foreground (`bridge sandbox odoo --port P`)."""
    sandbox = OdooSandbox(
        port=port,
        host=host,
        version=version,
        login_cost=login_cost,
        cost_scale=cost_scale,
        workers=workers,
    )
    print(
        f"Odoo {version} sandbox on {sandbox.url} (db 'bridge', admin/admin; "
        f"a password check costs {sandbox.login_cost:g} s)",
        flush=True,
    )
    sandbox.serve_forever()


__all__ = ["OdooSandbox", "serve"]
