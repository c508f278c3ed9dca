"""Task specs: one declarative spec per inference task (no Textual, no httpx).

    get_spec(task) -> TaskSpec          # aliases accepted (conversational -> chat-completion)
    all_specs() -> list[TaskSpec]       # in the registry's order (hftui.client.wire_tasks.TASKS)
    canonical_task(name) -> str | None
    register(spec, wire) / unregister(task)
    short_name(task) -> str | None      # hftui/tasks/names.py
    endpoint_tasks() -> list[str]
    task_for_model(info) -> str | None  # the task a model opens with (hftui/tasks/mapping.py)
    task_for_pipeline(tag) -> str | None

The registry has two sides: the wire side (``hftui.client.wire_tasks``:
route, input shape, parser, binary body, streaming) and the spec side here
(fields, view, short name, capabilities). Adding a task is one entry on
each: a spec in a SPECS tuple below and its ``WireTask`` (or both at once
with ``register``); every consumer — the Playground's task list, batch,
export, the endpoint form's task choices and the endpoint table — finds it.
A new kind of output also needs one result view in ``hftui/widgets/results.py``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hftui.tasks.fields import OPTION_FIELDS, Field, FieldError
from hftui.tasks.spec import Prepared, TaskSpec

if TYPE_CHECKING:
    from hftui.client.wire_tasks import WireTask

__all__ = ["Field", "FieldError", "OPTION_FIELDS", "Prepared", "TaskSpec", "all_specs", "canonical_task",
           "endpoint_tasks", "get_spec", "register", "short_name", "task_for_model", "task_for_pipeline",
           "unregister"]

_SPECS: dict[str, TaskSpec] | None = None


def _specs() -> dict[str, TaskSpec]:
    global _SPECS
    if _SPECS is None:
        from hftui.tasks import generation, text, vision

        _SPECS = {spec.task: spec for spec in (*text.SPECS, *generation.SPECS, *vision.SPECS)}
    return _SPECS


def register(spec: TaskSpec, wire: WireTask) -> None:
    """Add a task to both sides of the registry (``unregister`` takes it out again)."""
    from hftui.client import wire_tasks

    if spec.task != wire.name:
        raise ValueError(f"the spec is for {spec.task!r}, the wire entry for {wire.name!r}")
    if spec.task in _specs():
        raise ValueError(f"task already registered: {spec.task}")
    wire_tasks.register(wire)
    _specs()[spec.task] = spec


def unregister(task: str) -> None:
    from hftui.client import wire_tasks

    _specs().pop(task, None)
    wire_tasks.unregister(task)


def canonical_task(name: str | None) -> str | None:
    """The registered name of a task or one of its aliases, else None."""
    from hftui.client.wire_tasks import canonical

    found = canonical(name)
    return found if found in _specs() else None


def get_spec(task: str) -> TaskSpec:
    """The spec of ``task`` (or an alias). KeyError for an unknown task."""
    name = canonical_task(task)
    if name is None:
        raise KeyError(f"no spec for task {task!r}")
    return _specs()[name]


def all_specs() -> list[TaskSpec]:
    from hftui.client.wire_tasks import TASKS

    specs = _specs()
    return [specs[t] for t in TASKS if t in specs]


from hftui.tasks.mapping import task_for_model, task_for_pipeline  # noqa: E402  (needs canonical_task above)
from hftui.tasks.names import endpoint_tasks, short_name  # noqa: E402
