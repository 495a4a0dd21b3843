"""Celery tasks: ids in, call a service. Queued by name from the services (services.queue_task)."""

from celery import shared_task

from . import services


@shared_task
def notify_county_of_registration(organisation_id: int) -> int:
    """Tell the county bureau's staff that an organisation registered and waits for them."""
    return services.registration_notify_county(organisation_id=organisation_id)
