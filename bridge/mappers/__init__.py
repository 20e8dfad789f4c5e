"""Mappers: pure functions from one side's payload to the other side's values. No I/O."""
