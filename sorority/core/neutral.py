"""What a neutral page or e-mail must never say (docs/security.md, discreet mode).

One list, used by the page chrome, the e-mails and the tests: someone looking over
her shoulder, at her lock screen or in her mailbox must not learn what the site is
for. Words are matched on a folded form (lower case, accents removed) and from the
start of a word, so "Cœurs de Guerrières", "VIOLENCES" and "victime" all count.
"""

import re
import unicodedata

from django.http import HttpRequest

# Set on her device while she is signed in with discreet mode on, so that the pages
# she sees signed out (login, landing) stay neutral too. The name says nothing.
DISCREET_COOKIE = "plain"

GIVEAWAYS: tuple[str, ...] = (
    # The platform and its partners.
    "sorority",
    "sororit",
    "guerriere",
    "coeurs de",
    "un abri qui sauve",
    # What it is about.
    "violen",
    "victim",
    "abri",
    "refuge",
    "shelter",
    "abus",
    "agress",
    "conjugal",
    "domestic",
    "battu",
    "emprise",
    "harcel",
    "fuir",
    "femme",
    "women",
    "woman",
    "danger",
    "safe place",
    "lieu sur",
    # A "quick exit" is itself a sign of what the page is.
    "quick exit",
    "sortie rapide",
)


def fold(text: str) -> str:
    """Lower-case `text` and strip its accents and ligatures ("Cœurs" -> "coeurs")."""
    text = (
        text.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE")
    )
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


_PATTERN = re.compile(r"\b(" + "|".join(re.escape(word) for word in GIVEAWAYS) + ")")


def giveaways(text: str) -> list[str]:
    """Return the giveaway words found in `text` (empty when it is neutral)."""
    return sorted(set(_PATTERN.findall(fold(text))))


def is_discreet(request: HttpRequest) -> bool:
    """Whether this request is seen in discreet mode.

    Her setting when she is signed in; signed out, the device's cookie decides.
    """
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return bool(getattr(user, "discreet_mode", False))
    return request.COOKIES.get(DISCREET_COOKIE) == "1"
