"""Where private files live: attachments, receipts and letters are never under MEDIA_ROOT and are
served only through views that check access."""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages


class PrivateMediaStorage(FileSystemStorage):
    """File storage under PRIVATE_MEDIA_ROOT, read at use time (so tests can point it elsewhere)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("base_url", None)
        super().__init__(**kwargs)

    @property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)


def private_storage():
    return storages["private"]
