"""Runs of a flow: filled by the execution engine (Run, TaskRun, RunEvent)."""
