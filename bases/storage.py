"""The named storages files go through (settings.STORAGES): "private" for uploaded evidence,
"documents" for the documents the bureau issues. Both are the private folder on disk, or a
private S3 bucket when S3_BUCKET is set, so that any web node reads what another one wrote.

A FileField takes `storage=private_storage` (a callable): the migration then records the name,
not the backend, and the backend is whatever settings say on the machine that runs it."""

from django.core.files.storage import storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty


class NamedStorage(LazyObject):
    """storages[alias], looked up on first use, like Django's own default_storage."""

    def __init__(self, alias: str):
        super().__init__()
        self.__dict__["_alias"] = alias

    def _setup(self):
        self._wrapped = storages[self._alias]


PRIVATE = NamedStorage("private")
DOCUMENTS = NamedStorage("documents")


def private_storage():
    return PRIVATE


def documents_storage():
    return DOCUMENTS


@receiver(setting_changed)
def storages_changed(*, setting, **kwargs):
    # Settings change only under override_settings (tests); Django forgets its own storages then.
    if setting == "STORAGES":
        PRIVATE._wrapped = empty
        DOCUMENTS._wrapped = empty
