import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shaoxing_trade_secret.settings")

app = Celery("shaoxing_trade_secret")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
