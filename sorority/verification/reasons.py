"""What an applicant is told for each reason code: neutral, and always a next step.

A reason reaches her in one of two situations, and the words differ: when the
moderator asks for new photos (`resubmit`) she is told what to do differently and
gets a button to take them again; when her sign-up is refused (`refused`) she is told
why without being asked to do something she no longer can, and given the way to
contest it. Either way she is told what became of her photos.
"""

from dataclasses import dataclass
from email.utils import parseaddr

from django.conf import settings
from django.utils.translation import gettext_lazy as _

# Asked for new photos: what to do differently this time.
RESUBMIT_MESSAGES = {
    "blurry": _(
        "The photos were too blurry or too dark. Take them again in good light, holding the phone still."
    ),
    "challenge_missing": _(
        "The gesture or the handwritten code could not be seen. Show both clearly on every photo."
    ),
    "face_mismatch": _(
        "The moderator could not match the selfie with the document portrait. Take a clear selfie, face uncovered."
    ),
    "document_not_physical": _(
        "The document must be the physical card or passport, not a screen, a photocopy or a photo of a photo."
    ),
    "document_expired": _(
        "The document has expired. Use another identity document that is still valid."
    ),
    "document_unreadable": _(
        "Your name and date of birth must be readable on the document. You may still cover the other fields."
    ),
    "suspected_impersonation": _(
        "The moderator could not be sure that the photos show you. Take them again yourself, live, following the new challenge."
    ),
}

# Refused: why, in neutral words, without asking for new photos.
REFUSAL_MESSAGES = {
    "blurry": _("The moderator could not see the photos clearly enough to check them."),
    "challenge_missing": _(
        "The gesture or the handwritten code could not be seen on the photos."
    ),
    "face_mismatch": _(
        "The moderator could not match the selfie with the document portrait."
    ),
    "document_not_physical": _("The document shown was not the physical document."),
    "document_expired": _("The document shown had expired."),
    "document_unreadable": _(
        "The name or the date of birth could not be read on the document."
    ),
    "suspected_impersonation": _("Your sign-up could not be accepted."),
    "limit_reached": _("Your sign-up could not be accepted after three attempts."),
}

# Her case was closed without a decision: she starts again when she wishes.
CLOSED_MESSAGES = {
    "retention_expired": _(
        "Your verification was not completed in time. You can start again."
    ),
    "withdrawn": _("You withdrew your verification. You can start again."),
}

# Kept for the API and older callers: one message per code.
APPLICANT_MESSAGES = {**REFUSAL_MESSAGES, **RESUBMIT_MESSAGES, **CLOSED_MESSAGES}


class Step:
    RETAKE = "retake"  # a button to take the photos again
    APPEAL = "appeal"  # write to the moderators to contest the refusal
    START = "start"  # start a new verification


@dataclass(frozen=True)
class NextStep:
    """The one thing she can do now, and the message that explains why."""

    step: str
    message: str


def applicant_message(code: str | None) -> str:
    return str(APPLICANT_MESSAGES.get(code or "", ""))


def next_step(status: str, code: str | None) -> NextStep | None:
    """Return her next step for a verification status and the case's reason code.

    `status` is the word of `selectors.verification_status`; `code` the reason of her
    latest case (for "none", the reason a closed case ended with, if any).
    """
    code = code or ""
    if status == "resubmit":
        return NextStep(Step.RETAKE, str(RESUBMIT_MESSAGES.get(code, "")))
    if status == "refused":
        return NextStep(Step.APPEAL, str(REFUSAL_MESSAGES.get(code, "")))
    if status == "none" and code in CLOSED_MESSAGES:
        return NextStep(Step.START, str(CLOSED_MESSAGES[code]))
    return None


def appeal_address() -> str:
    """The address to contest a refusal: the one the terms of use give."""
    return (
        getattr(settings, "PRIVACY_CONTACT_EMAIL", "")
        or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    )
