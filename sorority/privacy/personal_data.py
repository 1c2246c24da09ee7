"""What the privacy app holds about a person: her abuser flags and their history.

The export gives counts and dates only, never the tags: a tag is a fingerprint of
someone else's identity, and handing it out would let it be tested against guesses.
"""

from typing import TYPE_CHECKING

from django.utils import timezone

from sorority.core.personal_data import PersonalData
from sorority.privacy.models import AbuserFlag, AbuserFlagEvent

if TYPE_CHECKING:
    from sorority.accounts.models import User

MODELS = ("privacy.AbuserFlag", "privacy.AbuserFlagEvent")

# Set on the in-memory person by `account_erase(keep_flags=True)`.
KEEP_FLAGS_ATTR = "_privacy_keep_abuser_flags"


def export_for(user: "User") -> dict:
    """Return her flags as dates and counts, and the history of her flag actions."""
    now = timezone.now()
    flags = AbuserFlag.objects.filter(member=user).order_by("created_at")
    return {
        "abuser_flags": {
            "active": sum(1 for f in flags if f.expires_at > now),
            "flags": [
                {"filed_at": f.created_at.isoformat(), "expires_at": f.expires_at.isoformat()}
                for f in flags
            ],
        },
        "abuser_flag_history": [
            {"kind": e.kind, "at": e.created_at.isoformat()}
            for e in AbuserFlagEvent.objects.filter(actor=user)
        ],
    }


def erase_for(user: "User") -> None:
    """Delete her flags (or detach them from her if she chose to keep them)."""
    flags = AbuserFlag.objects.filter(member=user)
    if getattr(user, KEEP_FLAGS_ATTR, False):
        # Kept flags lose any link to her and still expire on their date.
        flags.update(member=None)
    else:
        flags.delete()
    AbuserFlagEvent.objects.filter(actor=user).delete()


ENTRY = PersonalData(
    app_label="privacy", models=MODELS, export=export_for, erase=erase_for, order=90
)
