"""Predicates fn(…, user) -> bool of the targets and statistics; False for anonymous users and unknown roles."""

from bases import permissions


def may_view_statistics(user) -> bool:
    """The dashboard and its downloads: the city's staff (every county) and each county's own."""
    return permissions.is_bureau_staff(user)


def may_set_targets(user) -> bool:
    """第十二条: the city sets the yearly targets; its system administrator keeps them, as the other
    reference data."""
    return permissions.is_city_admin(user)


def may_register_enterprise(county_id, user) -> bool:
    """贯标企业 are registered by the county bureau that guided them (第十三条), or by the city."""
    return permissions.is_city(user) or permissions.is_staff_of_county(county_id, user)
