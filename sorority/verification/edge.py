"""Helpers shared by the web views and the API: uploads, case look-up, responses."""

import uuid

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from sorority.accounts.models import User
from sorority.core.errors import ApplicationError, NotFound
from sorority.verification import gestures, services
from sorority.verification.models import EvidenceDocument, VerificationRequest
from sorority.verification.policies import (
    can_handle_verification,
    verifications_visible_to,
)


class TooLargeError(ApplicationError):
    code = "too_large"
    status = 413


def upload_size_ok(request: HttpRequest) -> None:
    """Refuse a body the in-memory upload handler would silently drop (docs/security.md §14)."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > settings.FILE_UPLOAD_MAX_MEMORY_SIZE:
        raise TooLargeError("The photos are too large together (8 MB at most).")


def uploads_from(request: HttpRequest) -> dict:
    """Read the multipart fields into memory-only `Upload`s for the service."""
    files = request.FILES

    def one(name: str) -> services.Upload | None:
        items = files.getlist(name)
        if len(items) > 1:
            raise ApplicationError(f"Send one {name}.", code="invalid", fields={name: ["one only"]})
        return services.Upload(items[0].read(), name) if items else None

    def text(name: str) -> str | None:
        value = request.POST.get(name)
        return None if value is None or "\x00" in value else value  # no NUL in SQL

    return {
        "challenge_id": text("challenge_id"),
        "selfies": [services.Upload(f.read(), "selfie") for f in files.getlist("selfie")],
        "id_front": one("id_front"),
        "id_back": one("id_back"),
        "declaration": request.POST.get("declaration", "").lower() in ("true", "1", "on", "yes"),
        "attestation_code": text("attestation_code") or None,
    }


def case_for(request: HttpRequest, case_id: str) -> VerificationRequest:
    """Load a case through the policy: a missing, foreign or malformed id is 404."""
    try:
        pk = uuid.UUID(case_id)
    except ValueError:
        raise NotFound("Not found.") from None
    return get_object_or_404(verifications_visible_to(request.user), pk=pk)


def case_detail(case: VerificationRequest, moderator: User) -> dict:
    """What the assignee sees of a case; anyone else is refused (403) and audited."""
    if not can_handle_verification(moderator, case):
        services._refuse(case, moderator, "detail")
    challenge = case.challenge
    return {
        "id": case.pk,
        "instruction": gestures.instruction(challenge.pose, challenge.code) if challenge else "",
        "documents": list(
            EvidenceDocument.objects.filter(request=case).values_list("kind", flat=True)
        ),
        "possible_match": case.possible_match,
        "duplicate_upload": case.duplicate_upload,
        "attested": case.attested_by_id is not None,
        "revision_count": case.revision_count,
    }


def document_response(data: bytes) -> HttpResponse:
    """Serve decrypted bytes so that no browser or proxy keeps or runs them (docs/security.md §20)."""
    response = HttpResponse(data, content_type="image/jpeg")
    response["Cache-Control"] = "no-store, max-age=0, private"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = 'inline; filename="document.jpg"'
    response["Content-Security-Policy"] = "sandbox"
    response["Referrer-Policy"] = "no-referrer"
    return response
