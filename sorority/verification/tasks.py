"""Background tasks of verification: expiry, reconciliation, deletion of vault objects."""

from sorority.core.tasking import background


@background()
def expire() -> int:
    from sorority.verification.services import verifications_expire

    return verifications_expire()


@background()
def reconcile() -> int:
    from sorority.verification.services import vault_reconcile

    return vault_reconcile()


@background(priority=20)
def delete_vault_objects(request_id: str, names: list[str]) -> int:
    from sorority.verification.services import vault_objects_delete

    return vault_objects_delete(request_id=request_id, names=names)
