"""Celery settings: broker, one queue per entity, routes, and the reliability knobs.

Why each knob:
- acks_late + reject_on_worker_lost: a task is acknowledged only once it finished,
  so a worker killed mid-task gives the task back to the queue (our writes are
  idempotent, so running it again is safe).
- prefetch 1: a worker holds one task at a time; a slow Odoo does not strand others.
- visibility_timeout: Redis hands an unacknowledged task to another worker after
  this long; it must outlast the longest retry countdown and task time limit, or a
  task waiting for its retry would run twice.
- JSON only, results ignored: arguments are log ids; outcomes live in SyncLog rows.
"""

from __future__ import annotations

from kombu import Exchange, Queue

from bridge.settings import get_settings

_settings = get_settings()

#: One queue per entity, so a flood of one kind never starves another.
QUEUES = ("setup", "products", "customers", "orders", "inventory", "fulfillment", "maintenance")

broker_url = _settings.broker_url
broker_connection_retry_on_startup = True
broker_transport_options = {
    "visibility_timeout": _settings.visibility_timeout
    or max(3600, 2 * (_settings.retry_backoff_max + _settings.task_time_limit)),
}

task_queues = tuple(Queue(name, Exchange(name, type="direct"), routing_key=name) for name in QUEUES)
task_default_queue = "setup"
task_routes = {f"tasks.{name}.*": {"queue": name, "routing_key": name} for name in QUEUES}

task_serializer = "json"
result_serializer = "json"
accept_content = ["json"]
task_ignore_result = True
result_backend = None

task_acks_late = True
task_reject_on_worker_lost = True
worker_prefetch_multiplier = 1
task_time_limit = _settings.task_time_limit
task_soft_time_limit = max(1, _settings.task_time_limit - 30)

worker_hijack_root_logger = False
worker_send_task_events = True
task_send_sent_event = True
timezone = "UTC"
enable_utc = True

beat_scheduler = "workers.beat:DatabaseScheduler"
beat_max_loop_interval = 5
