"""The seal of the application log: each entry's SHA-256 over its content and the digest of the
entry before it in the same application's chain, so that altering, removing or inserting an entry
breaks every link after it (manage.py verify_log finds the first).

What is sealed is the record of the procedure: who (the user's id and role), what, when, from which
state to which, the comment and the details. The client address is not: it is personal data that a
retention rule may erase (and the comments carry no objector's name or phone for the same reason).

Never change this function: entries sealed with it must verify with it for as long as they are
kept. A new way of sealing would be version 2, chosen by the "v" each entry's content carries.
"""

import datetime
import hashlib
import json

VERSION = 1


def sealed_content(
    *,
    application_id: int,
    action: str,
    transition: str,
    label: str,
    from_state: str,
    to_state: str,
    actor_id: int,
    actor_role: str,
    comment: str,
    details,
    created_at: datetime.datetime,
    previous_digest: str,
) -> bytes:
    content = {
        "v": VERSION,
        "application": application_id,
        "action": action,
        "transition": transition,
        "label": label,
        "from": from_state,
        "to": to_state,
        "actor": actor_id,
        "role": actor_role,
        "comment": comment,
        "details": details or {},
        "at": created_at.astimezone(datetime.UTC).isoformat(timespec="microseconds"),
        "previous": previous_digest,
    }
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def digest_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def entry_digest(entry) -> str:
    """The digest an ApplicationLog entry (or a historical model's row) should carry."""
    return digest_of(
        sealed_content(
            application_id=entry.application_id,
            action=entry.action,
            transition=entry.transition,
            label=entry.label,
            from_state=entry.from_state,
            to_state=entry.to_state,
            actor_id=entry.actor_id,
            actor_role=entry.actor_role,
            comment=entry.comment,
            details=entry.details,
            created_at=entry.created_at,
            previous_digest=entry.previous_digest,
        )
    )
