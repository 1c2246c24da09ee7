"""`manage.py vault_rewrap`: re-wrap every stored document key under the newest master key.

Key rotation (docs/security.md §16, 28): add the new key as the highest version of
VAULT_MASTER_KEYS (keeping the old ones), deploy, run this command, then remove the
old versions from the keyring. Document ciphertexts are untouched: only the 60-byte
wrapped keys change. Keys are never printed.
"""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from sorority.verification import crypto
from sorority.verification.models import VerificationRequest


class Command(BaseCommand):
    help = "Re-wrap the per-submission keys under the current vault master key."

    def handle(self, *args: object, **options: object) -> None:
        keyring = settings.VAULT_MASTER_KEYS
        current = crypto.current_version(keyring)
        done = 0
        pending = VerificationRequest.objects.exclude(wrapped_dek=None).exclude(
            key_version=current
        )
        for pk in pending.values_list("pk", flat=True):
            with transaction.atomic():
                case = VerificationRequest.objects.select_for_update().get(pk=pk)
                if not case.wrapped_dek or case.key_version == current:
                    continue
                case.key_version, case.wrapped_dek = crypto.rewrap(
                    case.key_version, bytes(case.wrapped_dek), keyring
                )
                case.save(update_fields=["key_version", "wrapped_dek"])
                done += 1
        self.stdout.write(f"Re-wrapped {done} key(s) under master key version {current}.")
