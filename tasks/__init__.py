"""Tasks: thin wrappers that load a SyncLog, run its use case and record the outcome."""
