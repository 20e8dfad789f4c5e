"""Entry points that run: the Celery app (workers) and the database-driven beat scheduler."""
