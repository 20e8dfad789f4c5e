"""The console's Flask app, and the one WSGI app `bridge serve` runs (webhooks + console +
metrics)."""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

from flask import Flask, redirect, render_template, url_for
from flask_login import LoginManager
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.wrappers import Response

from bridge.console import auth, drift, health, logs, reports
from bridge.console.secret import console_secret

SESSION_HOURS = 12


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=console_secret(),
        SESSION_COOKIE_NAME="bridge_console",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        # Behind TLS, set BRIDGE_CONSOLE_SECURE_COOKIES=1 so the cookie never goes in clear.
        SESSION_COOKIE_SECURE=os.environ.get("BRIDGE_CONSOLE_SECURE_COOKIES") == "1",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=SESSION_HOURS),
        WTF_CSRF_TIME_LIMIT=SESSION_HOURS * 3600,
        MAX_CONTENT_LENGTH=64 * 1024,
    )
    app.config.update(config or {})
    CSRFProtect(app)
    login = LoginManager(app)
    login.login_view = "auth.login"
    login.login_message = "Log in to see the console."
    login.user_loader(auth.load_user)
    for blueprint in (auth.bp, health.bp, logs.bp, drift.bp, reports.bp):
        app.register_blueprint(blueprint)
    app.jinja_env.filters["when"] = _when
    app.jinja_env.globals["can_act"] = auth.can_act

    @app.errorhandler(CSRFError)
    def csrf_refused(exc: CSRFError) -> tuple[str, int]:
        return render_template("error.html", title="Refused", message=exc.description), 400

    @app.route("/")
    def index() -> Response:
        return redirect(url_for("health.page"))

    return app


def _when(value: Any) -> str:
    if value is None:
        return "—"
    return value.strftime("%Y-%m-%d %H:%M:%S")


def wsgi() -> Any:
    """Webhooks at /, the console under /console, Prometheus metrics at /metrics."""
    from bridge.events.app import application as events
    from bridge.metrics.exposition import metrics_app

    return DispatcherMiddleware(events, {"/console": create_app(), "/metrics": metrics_app})
