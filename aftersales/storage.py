"""Where after-sales keeps files people upload (return photos): under the private media
directory, outside the web root and without a URL; a view that checks rights serves them."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.functional import LazyObject


class _PrivateStorage(LazyObject):
    def _setup(self) -> None:
        self._wrapped = FileSystemStorage(location=settings.OMS_PRIVATE_MEDIA_ROOT, base_url=None)


private_storage = _PrivateStorage()


def private_storage_callable() -> FileSystemStorage:
    """For the model field (a callable keeps the settings out of the migration)."""
    return private_storage  # type: ignore[return-value]
