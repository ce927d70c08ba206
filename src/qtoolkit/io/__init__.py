"""Scheduler-specific job sub-states, one module per queue manager."""
