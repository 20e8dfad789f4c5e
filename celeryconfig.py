"""Celery settings: broker, one queue per entity, routes, and the reliability knobs.

Why each knob:
- acks_late + reject_on_worker_lost: a task is acknowledged only once it finished,
  so a worker killed mid-task gives the task back to the queue (our writes are
  idempotent, so running it again is safe).
- prefetch 1: a worker holds one task at a time; a slow Odoo does not strand others.
- Recovery from a hard-killed worker does not wait for Redis. Each running log carries
  a heartbeat its task refreshes every 20 s (`tasks/base.py::Heartbeat`), and every
  message is only a pointer to its log, which `run_log` claims once
  (`logbook.claim`). Beat's reaper (`reap_logs`, every 60 s) sends again a running log
  whose heartbeat is 2 minutes old and a queued log whose message was due 5 minutes
  ago (`bridge/sync/log_filter.py`): a killed worker's work resumes 2-6 minutes later.
  A copy sent for a log whose message was not lost after all finds it claimed or done
  and does nothing, so the thresholds can be short without double-running anything.
- visibility_timeout (default: longest retry countdown + task time limit + 5 min =
  1,500 s): Redis hands an unacknowledged message to another worker after this long,
  and a redelivered message carries the same task id, which `claim` lets take over a
  running log (a retry of the same task must). So it must outlast the longest thing a
  live worker holds a message for: a retry waiting for its countdown (ETA messages stay
  unacknowledged until they run) and then the run itself. It is the backstop for when
  beat is down too; the reaper is what makes recovery take minutes.
- worker_cancel_long_running_tasks_on_connection_loss: when a worker loses Redis, kombu
  gives its unacknowledged messages back; the tasks still running from them are
  cancelled rather than run twice beside their redelivered copies.
- broker_connection_max_retries None: a worker waits for a broker outage to end
  instead of exiting after 100 attempts.
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
broker_connection_max_retries = None
broker_transport_options = {
    "visibility_timeout": _settings.visibility_timeout
    or _settings.retry_backoff_max + _settings.task_time_limit + 300,
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
worker_cancel_long_running_tasks_on_connection_loss = True
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
