"""Reads of the workflow: which actions a user may take now, and the history."""
from dataclasses import dataclass

from .choices import State
from .models import ApplicationLog


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    style: str
    confirm: str
    comment: str | None  # None | "optional" | "required"


def _action(transition) -> Action:
    custom = transition.custom
    return Action(
        name=transition.name,
        label=custom["label"],
        style=custom.get("style", "secondary"),
        confirm=custom.get("confirm", ""),
        comment=custom.get("comment"),
    )


def available_actions(application, user) -> list[Action]:
    """The transitions the declaration allows this user now: the only source of action buttons."""
    return [_action(t) for t in application.get_available_user_state_transitions(user)]


def all_transitions(model) -> list[dict]:
    """Every declared transition as (source, target, label): for the diagram and the tests."""
    rows = []
    for transition in model._meta.get_field("state").get_all_transitions(model):
        rows.append(
            {
                "name": transition.name,
                "source": transition.source,
                "target": transition.target,
                "label": transition.custom.get("label", transition.name),
            }
        )
    return rows


def application_log(application):
    return ApplicationLog.objects.filter(application=application).select_related("actor")


def state_label(value: str) -> str:
    return State(value).label if value in State.values else value
