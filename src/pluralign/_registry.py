"""Inspect AI entry point: importing this module registers every suite's ``@task`` functions.

The tasks come from the suite registry (``pluralign.suites`` entry points), so a suite is
reachable as ``inspect eval pluralign/<task>`` as soon as it is registered.
"""

from pluralign.run.registry import registered_suites

TASKS = {
    task.__name__: task for suite in registered_suites().values() for task in suite.inspect_tasks
}
"""Every registered suite's ``@task`` function, by name."""

globals().update(TASKS)
__all__ = sorted(TASKS)
