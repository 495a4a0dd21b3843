from . import selectors


def notifications(request):
    """The unread count in the header of every page."""
    user = request.user
    return {"unread_notifications": selectors.unread_notifications_count(user) if user.is_authenticated else 0}
