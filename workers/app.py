"""The Celery application. `celery -A workers.app worker -Q setup,orders,...` runs a worker."""

from __future__ import annotations

from celery import Celery

TASK_MODULES = [
    "tasks.setup",
    "tasks.maintenance",
    "tasks.customers",
    "tasks.orders",
    "tasks.fulfillment",
    "tasks.products",
    "tasks.product_import",
    "tasks.inventory",
    "tasks.drift",
    "tasks.journal",
]


def create_app() -> Celery:
    # Every process that runs tasks counts finished logs and remote calls for /metrics.
    from bridge.metrics import hooks

    hooks.install()
    celery_app = Celery("bridge", include=TASK_MODULES)
    celery_app.config_from_object("celeryconfig")
    return celery_app


app = create_app()
