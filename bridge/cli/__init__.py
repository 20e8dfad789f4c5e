"""The `bridge` command: setup, imports, logs, schedules, services, sandboxes and the demo."""

from bridge.cli.app import app

__all__ = ["app"]
