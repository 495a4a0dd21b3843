"""What the application aggregate announces, for the apps above it to act on (the review writes
notifications), so that this app never imports them. Receivers run inside the sender's transaction."""

from django.dispatch import Signal

# A transition has been made; `entry` is its new ApplicationLog row.
application_transitioned = Signal()
# An organisation has registered itself and waits for its county's confirmation; `organisation`.
organisation_registered = Signal()
# A county (or the city) has confirmed or rejected a self-registered organisation; `organisation`.
organisation_decided = Signal()
# The reference data is being loaded (manage.py load_reference_data, inside its transaction): the apps
# above create their own reference rows that are missing (e.g. the targets of 附件1) from `fixtures_dir`
# and return how many they created.
reference_data_loading = Signal()
# seed_demo has made its demo data (inside its transaction): the apps above add theirs that is missing
# (e.g. targets and 贯标企业), and return how many rows they created.
demo_data_seeding = Signal()
