from . import selectors


def notifications(request):
    """The unread count in the header of every page."""
    user = getattr(request, "user", None)  # none on a request refused before authentication
    return {"unread_notifications": selectors.unread_notifications_count(user) if user and user.is_authenticated else 0}
