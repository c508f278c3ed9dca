"""Task specs: one declarative spec per inference task (no Textual, no httpx).

    get_spec(task) -> TaskSpec          # aliases accepted (conversational -> chat-completion)
    all_specs() -> list[TaskSpec]       # in the client's TASKS order
    canonical_task(name) -> str | None
    task_for_model(info) -> str | None  # the task a model opens with (hftui/tasks/mapping.py)
    task_for_pipeline(tag) -> str | None

Adding a task = adding one spec to a SPECS tuple (and, for a new kind of
output, one result view in ``hftui/widgets/results.py``).
"""

from __future__ import annotations

from hftui.tasks.fields import OPTION_FIELDS, Field, FieldError
from hftui.tasks.spec import Prepared, TaskSpec

__all__ = ["Field", "FieldError", "OPTION_FIELDS", "Prepared", "TaskSpec", "all_specs", "canonical_task",
           "get_spec", "task_for_model", "task_for_pipeline"]

ORDER = (
    "fill-mask", "summarization", "translation", "question-answering", "zero-shot-classification",
    "text-classification", "token-classification", "text-generation", "chat-completion",
    "feature-extraction", "sentence-similarity", "text-to-image", "image-classification",
    "object-detection", "image-to-text", "automatic-speech-recognition", "table-question-answering",
)
"""The client's TASKS order (kept here so importing the specs does not load the HTTP client)."""

_REGISTRY: dict[str, TaskSpec] | None = None
_ALIASES: dict[str, str] = {}


def _registry() -> dict[str, TaskSpec]:
    global _REGISTRY
    if _REGISTRY is None:
        from hftui.tasks import generation, text, vision

        reg: dict[str, TaskSpec] = {}
        for spec in (*text.SPECS, *generation.SPECS, *vision.SPECS):
            reg[spec.task] = spec
            for alias in spec.aliases:
                _ALIASES[alias] = spec.task
        _REGISTRY = reg
    return _REGISTRY


def canonical_task(name: str | None) -> str | None:
    if not name:
        return None
    reg = _registry()
    name = name.strip().lower()
    name = _ALIASES.get(name, name)
    return name if name in reg else None


def get_spec(task: str) -> TaskSpec:
    """The spec of ``task`` (or an alias). KeyError for an unknown task."""
    name = canonical_task(task)
    if name is None:
        raise KeyError(f"no spec for task {task!r}")
    return _registry()[name]


def all_specs() -> list[TaskSpec]:
    reg = _registry()
    return [reg[t] for t in ORDER if t in reg] + [s for t, s in reg.items() if t not in ORDER]


from hftui.tasks.mapping import task_for_model, task_for_pipeline  # noqa: E402  (needs canonical_task above)
