"""What an applicant reads of the records kept about its application, declared once.

The bureaus' staff see every record whole. An applicant sees the outcome and the opinions of each
step, never who reviewed it, what the reviewers noted for themselves, nor who objected (the
objector's identity is never shown to the applicant, on any page or in any notification). The
application page, its history (办理记录) and the notifications read this module.
"""

from bases import permissions
from bases.choices import LogAction
from bases.models import Application
from bases.selectors import CITY_BUREAU

# The fields of each review record an applicant may read; anything else reads as empty.
APPLICANT_FIELDS = {
    # the checks were made, of which kind and when; not who made them nor what they noted
    "acceptance_record": frozenset({"pk", "kind", "held_on", "get_kind_display"}),
    # the objection and its handling; not who objected nor how to reach them
    "objection": frozenset(
        {
            "pk",
            "reference",
            "received_on",
            "reasons",
            "outcome",
            "get_outcome_display",
            "reply",
            "resolved",
            "answerable",
            "answer_due",
            "answer",
            "answered_at",
            "publicity",
        }
    ),
    # 第三条（四）: the base's recommendations upwards, their stage, dates and outcome; not the opinions,
    # the reasons, the log nor the documents, which stay with the bureaus
    "upward": frozenset(
        {
            "pk",
            "level",
            "get_level_display",
            "status",
            "get_status_display",
            "county_on",
            "city_on",
            "outcome_on",
            "outcome_document",
            "is_open",
        }
    ),
}
# Log entries whose comment stays with the bureaus: reviewers' findings and names, objectors' names.
INTERNAL_LOG_ACTIONS = frozenset({LogAction.ACCEPTANCE_RECORD, LogAction.OBJECTION})


def sees_whole(user) -> bool:
    """The bureaus' staff and leaders read review records whole; applicants read what this module allows."""
    return permissions.is_bureau_staff(user) or permissions.is_leader(user)


class Redacted:
    """A record as an applicant may read it: only the declared fields, everything else empty."""

    def __init__(self, record, fields: frozenset):
        self._record, self._fields = record, fields

    def __getattr__(self, name):
        if name in self._fields:
            return getattr(self._record, name)
        return ""


def for_reader(records, kind: str, user) -> list:
    """The records of a kind as the user may read them."""
    if sees_whole(user):
        return list(records)
    return [Redacted(record, APPLICANT_FIELDS[kind]) for record in records]


def _transition_comment_is_internal(name: str) -> bool:
    """A transition whose declaration gives its comment no label (e.g. the acceptance group's
    members) or marks it internal (报批: the leader's opinion and reasons) keeps the comment from the
    applicant."""
    transitions = Application._meta.get_field("state").get_all_transitions(Application)
    return any(
        t.name == name and (t.custom.get("comment_label") == "" or t.custom.get("internal")) for t in transitions
    )


def applicant_comment(entry) -> str:
    """The comment of a log entry as the applicant may read it ("" when it stays with the bureaus)."""
    if entry.action in INTERNAL_LOG_ACTIONS:
        return ""
    if entry.transition and _transition_comment_is_internal(entry.transition):
        return ""
    return entry.comment


def shown_comment(entry, user) -> str:
    return entry.comment if sees_whole(user) else applicant_comment(entry)


def shown_actor(entry, user, application) -> str:
    """Who made a step: by name for the bureaus and for the applicant's own people; for the
    applicant, a bureau's step is the bureau's (its staff and reviewers are not named)."""
    actor = entry.actor
    if sees_whole(user) or actor.organisation_id == application.organisation_id:
        return f"{actor.display_name}（{entry.actor_role}）"
    return actor.county.bureau_name if actor.county_id else CITY_BUREAU
