from django.contrib.auth.models import AnonymousUser

from . import permissions

# The pages reached through the menu's 更多: its summary is marked while one of them is open.
MORE_VIEWS = frozenset(
    {
        "bases:organisation-list",
        "bases:organisation-detail",
        "reviews:upward-list",
        "reviews:upward-detail",
        "reviews:upward-open",
        "bases:county-rules-list",
        "bases:county-rules-detail",
        "bases:county-rules-edit",
        "conditions",
        "reviews:workflow",
    }
)


def navigation(request):
    """Flags the base template uses to show the menu entries of the user's role."""
    # No user on a request refused before the authentication middleware (an unknown Host: 400 page).
    user = getattr(request, "user", None) or AnonymousUser()
    return {
        "nav": {
            # Signed in with everything owed (the second factor, where required): the menus show.
            "signed_in": user.is_authenticated and not permissions.two_factor_pending(user),
            "is_city": permissions.is_city(user),
            "is_city_admin": permissions.is_city_admin(user),
            "is_county": permissions.is_county_staff(user),
            "is_applicant": permissions.is_applicant(user),
            "is_confirmed_applicant": permissions.is_confirmed_applicant(user),
            "more_views": MORE_VIEWS,
        }
    }
