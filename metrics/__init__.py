"""Metrics: pure functions over canonical tables, each with its formula in the docstring."""


class MetricsError(Exception):
    """A report cannot be made (unknown project, no data): the message is for the user."""
