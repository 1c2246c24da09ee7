"""What an applicant is told for each reason code: neutral and actionable."""

from django.utils.translation import gettext_lazy as _

APPLICANT_MESSAGES = {
    "blurry": _("The photos were too blurry or too dark. Take them again in good light, holding the phone still."),
    "challenge_missing": _("The gesture or the handwritten code could not be seen. Show both clearly on every photo."),
    "face_mismatch": _("The moderator could not match the selfie with the document portrait. Take a clear selfie, face uncovered."),
    "document_not_physical": _("The document must be the physical card or passport, not a screen, a photocopy or a photo of a photo."),
    "document_expired": _("The document has expired. Use another identity document that is still valid."),
    "document_unreadable": _("Your name and date of birth must be readable on the document. You may still cover the other fields."),
    "suspected_impersonation": _("Your sign-up could not be accepted."),
    "limit_reached": _("Your sign-up could not be accepted after three attempts."),
    "retention_expired": _("Your verification was not completed in time. You can start again."),
    "withdrawn": _("You withdrew your verification. You can start again."),
}


def applicant_message(code: str | None) -> str:
    return str(APPLICANT_MESSAGES.get(code or "", ""))
