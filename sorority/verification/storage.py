"""A local vault storage that can never hand out a URL (docs/security.md §20).

Django's FileSystemStorage with `base_url=None` falls back to MEDIA_URL; this one
refuses instead, so no template or serializer can ever link to a vault object.
Use it as the default `STORAGES["vault"]` backend.
"""

from django.core.files.storage import FileSystemStorage


class VaultFileSystemStorage(FileSystemStorage):
    def url(self, name: str | None) -> str:
        raise ValueError("Vault objects are never served by URL.")
