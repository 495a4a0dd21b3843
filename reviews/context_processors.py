from . import selectors


def notifications(request):
    """The unread count in the header of every page: a number, or "99+" past 99."""
    user = getattr(request, "user", None)  # none on a request refused before authentication
    if not (user and user.is_authenticated):
        return {"unread_notifications": 0}
    unread = selectors.unread_notifications_count(user)
    return {
        "unread_notifications": f"{selectors.UNREAD_BADGE_CAP - 1}+" if unread >= selectors.UNREAD_BADGE_CAP else unread
    }
