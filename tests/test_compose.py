"""docker-compose.yml cannot be run here (no Docker engine): check it names real commands."""

from __future__ import annotations

from pathlib import Path

import yaml
from typer.main import get_command

from bridge.cli import app

COMPOSE = Path(__file__).resolve().parents[1] / "docker-compose.yml"


def test_compose_services_run_commands_that_exist():
    spec = yaml.safe_load(COMPOSE.read_text())
    services = spec["services"]
    assert {"redis", "postgres", "migrate", "beat", "flower", "worker-setup"} <= set(services)
    cli = get_command(app)
    for name, service in services.items():
        command = service.get("command")
        entrypoint = service.get("entrypoint")
        if command and not entrypoint and "image" in service and "bridge" in service["image"]:
            assert command[0] in cli.commands, f"{name}: bridge has no command {command[0]!r}"
    assert services["flower"]["environment"]["FLOWER_BASIC_AUTH"].startswith("${")
    assert "BRIDGE_SECRET_KEY" in services["beat"]["environment"]


def test_every_queue_has_a_worker_and_stock_never_waits_behind_the_catalog():
    from celeryconfig import QUEUES

    services = yaml.safe_load(COMPOSE.read_text())["services"]
    consumers: dict[str, set[str]] = {}
    for name, service in services.items():
        command = service.get("command") or []
        if command[:1] == ["worker"]:
            for queue in command[command.index("-Q") + 1].split(","):
                consumers.setdefault(queue, set()).add(name)
    assert set(QUEUES) == set(consumers)
    assert not consumers["inventory"] & consumers["products"]
    # Shipments wait on Magento, not behind an order import.
    assert not consumers["fulfillment"] & consumers["orders"]
