"""What the application aggregate announces, for the apps above it to act on (the review writes
notifications), so that this app never imports them. Receivers run inside the sender's transaction."""

from django.dispatch import Signal

# A transition has been made; `entry` is its new ApplicationLog row.
application_transitioned = Signal()
# An organisation has registered itself and waits for its county's confirmation; `organisation`.
organisation_registered = Signal()
# A county (or the city) has confirmed or rejected a self-registered organisation; `organisation`.
organisation_decided = Signal()
