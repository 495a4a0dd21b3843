from reviews.selectors import notifications_for_user

from . import permissions


def unread_count(user) -> int:
    return notifications_for_user(user).filter(read_at__isnull=True).count() if user.is_authenticated else 0


def navigation(request):
    """Flags the base template uses to show the menu entries of the user's role."""
    user = request.user
    return {
        "nav": {
            "is_city": permissions.is_city(user),
            "is_city_admin": permissions.is_city_admin(user),
            "is_county": permissions.is_county_staff(user),
            "is_applicant": bool(user.is_authenticated and user.role == "applicant"),
            "is_confirmed_applicant": permissions.is_confirmed_applicant(user),
            "unread": unread_count(user),
        }
    }
