"""Profiles, offers and the location rows derived from them.

A member's position is never stored: services snap it at once to an H3 cell
(``geo.snap``) and keep only that cell, its resolution and its centre
(``pub_lat``/``pub_lng``). ``OfferIndex`` and ``CellCount`` are denormalised
read models rebuilt by the services that write ``Profile``/offers, in the same
transaction (docs/performance.md, "certified expanding cap" and "Map").
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sorority.core.validators import validate_phone_e164

AVATARS: tuple[tuple[str, object], ...] = (
    ("iris", _("Iris")),
    ("rose", _("Rose")),
    ("lila", _("Lilac")),
    ("sol", _("Sunflower")),
    ("mer", _("Sea")),
    ("foret", _("Forest")),
    ("nuit", _("Night")),
    ("aube", _("Dawn")),
)
DEFAULT_AVATAR = "iris"

LANGUAGES: tuple[tuple[str, object], ...] = (
    ("fr", _("French")),
    ("en", _("English")),
    ("ar", _("Arabic")),
    ("es", _("Spanish")),
    ("pt", _("Portuguese")),
    ("de", _("German")),
    ("it", _("Italian")),
    ("tr", _("Turkish")),
    ("ro", _("Romanian")),
    ("ru", _("Russian")),
    ("uk", _("Ukrainian")),
    ("fa", _("Persian")),
    ("zh", _("Chinese")),
    ("lsf", _("French Sign Language")),
)

SUPPORT_KINDS: tuple[tuple[str, object], ...] = (
    ("listening", _("Listening")),
    ("medical", _("Going with her to a medical visit")),
    ("police", _("Going with her to the police to file a complaint")),
    ("administrative", _("Going with her to administrative offices")),
    ("job_interview", _("Going with her to a job interview")),
    ("outing", _("Going out together")),
    ("other", _("Other")),
)
ANIMALS: tuple[tuple[str, object], ...] = (
    ("cat", _("Cat")),
    ("dog", _("Dog")),
    ("other", _("Other animals")),
)


def mask_of(values: list[str] | tuple[str, ...], choices: tuple) -> int:
    """Bit mask of chosen values (bit i = the i-th choice), for the search index."""
    names = [c[0] for c in choices]
    mask = 0
    for value in values:
        mask |= 1 << names.index(value)
    return mask


class Precision(models.TextChoices):
    TOWN = "town", _("Town (about 5 km²)")
    DISTRICT = "district", _("District (about 36 km²)")
    AREA = "area", _("Area (about 250 km²)")


class Profile(models.Model):
    """A member's public profile and her coarse location (a cell, never a point)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="place_profile"
    )
    avatar = models.CharField(
        _("avatar"), max_length=16, choices=AVATARS, default=DEFAULT_AVATAR
    )
    bio = models.TextField(_("short bio"), max_length=500, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    paused = models.BooleanField(_("paused"), default=False)
    precision = models.CharField(
        _("precision"), max_length=10, choices=Precision.choices, default=Precision.TOWN
    )
    # The display cell (H3 index as a signed 64-bit integer), chosen by the
    # services: never finer than res 7, coarser in sparse areas.
    cell = models.BigIntegerField(null=True, blank=True)
    res = models.PositiveSmallIntegerField(null=True, blank=True)
    pub_lat = models.FloatField(null=True, blank=True)
    pub_lng = models.FloatField(null=True, blank=True)
    band = models.IntegerField(null=True, blank=True)
    # The commune that names the cell (derived from the cell, not the input).
    area_code = models.CharField(max_length=5, blank=True)
    department = models.CharField(max_length=3, blank=True, db_index=True)
    # Stored in E.164 only (`normalise_phone` in the services; docs/security.md).
    phone = models.CharField(
        _("phone"), max_length=20, blank=True, validators=[validate_phone_e164]
    )
    show_phone = models.BooleanField(_("show my phone number"), default=False)
    show_email = models.BooleanField(_("show my e-mail address"), default=False)
    accepts_group_requests = models.BooleanField(
        _("I accept requests sent to several hosts at once"), default=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(res__isnull=True) | models.Q(res__lte=7),
                name="profile_res_at_most_7",
            ),
        ]

    def __str__(self) -> str:
        return f"profile of #{self.user_id}"

    @property
    def has_location(self) -> bool:
        return self.cell is not None


class SupportOffer(models.Model):
    """"I offer help/support": which kinds and when."""

    profile = models.OneToOneField(
        Profile, on_delete=models.CASCADE, related_name="support"
    )
    offered = models.BooleanField(_("I offer help/support"), default=False)
    kinds = models.JSONField(_("kinds of help"), default=list, blank=True)
    availability = models.CharField(_("availability"), max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"support of #{self.profile_id}"


class SafePlaceOffer(models.Model):
    """"I offer a safe place": what, for whom, when and who may find it."""

    class Type(models.TextChoices):
        COUCH = "couch", _("A couch")
        ROOM = "room", _("A room")
        HOME = "home", _("A whole home")

    class Availability(models.TextChoices):
        NOW = "now", _("Available now")
        DATES = "dates", _("On some dates")
        ON_REQUEST = "on_request", _("On request")

    class Visibility(models.TextChoices):
        MEMBERS = "members", _("All members")
        ASSOCIATIONS = "associations", _("Partner associations only")

    profile = models.OneToOneField(
        Profile, on_delete=models.CASCADE, related_name="safe_place"
    )
    offered = models.BooleanField(_("I offer a safe place"), default=False)
    type = models.CharField(
        _("what"), max_length=8, choices=Type.choices, default=Type.COUCH
    )
    adults = models.PositiveSmallIntegerField(_("adults"), default=1)
    children = models.PositiveSmallIntegerField(_("children"), default=0)
    animals = models.JSONField(_("animals accepted"), default=list, blank=True)
    step_free = models.BooleanField(_("step-free access"), default=False)
    max_nights = models.PositiveSmallIntegerField(_("nights at most"), default=1)
    household = models.CharField(_("who else lives there"), max_length=300, blank=True)
    men_at_night = models.BooleanField(_("adult men present at night"), default=False)
    availability = models.CharField(
        _("availability"),
        max_length=12,
        choices=Availability.choices,
        default=Availability.ON_REQUEST,
    )
    date_ranges = models.JSONField(_("dates"), default=list, blank=True)
    tonight_until = models.DateTimeField(null=True, blank=True)
    visibility = models.CharField(
        _("who may find this offer"),
        max_length=12,
        choices=Visibility.choices,
        default=Visibility.MEMBERS,
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(adults__gte=1, adults__lte=20),
                name="safeplace_adults_range",
            ),
            models.CheckConstraint(
                condition=models.Q(children__lte=20), name="safeplace_children_range"
            ),
            models.CheckConstraint(
                condition=models.Q(max_nights__gte=1, max_nights__lte=365),
                name="safeplace_nights_range",
            ),
        ]

    def __str__(self) -> str:
        return f"safe place of #{self.profile_id}"


class ProfileEvent(models.Model):
    """Append-only record of changes to a profile, its location and offers."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        UPDATED = "updated", _("Updated")
        LOCATION_SET = "location_set", _("Location set")
        PAUSED = "paused", _("Paused")
        RESUMED = "resumed", _("Resumed")
        OFFERS_CHANGED = "offers_changed", _("Offers changed")
        TONIGHT_EXPIRED = "tonight_expired", _("Available tonight turned off")

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"


class OfferIndex(models.Model):
    """One search row per offer kind per member (only offered, located, unpaused).

    ``available``: the offer may be asked for now (support: always; safe place:
    now, on request, tonight, or a date range covering today). ``immediate``:
    available now or tonight. ``band`` is computed in Python (``geo.band``).
    """

    class Kind(models.IntegerChoices):
        SUPPORT = 1, _("Help/support")
        SAFE_PLACE = 2, _("Safe place")

    kind = models.PositiveSmallIntegerField(choices=Kind.choices)
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
    )
    available = models.BooleanField(default=True)
    immediate = models.BooleanField(default=False)
    assoc_only = models.BooleanField(default=False)
    kinds_mask = models.IntegerField(default=0)
    place_type = models.PositiveSmallIntegerField(default=0)
    adults = models.PositiveSmallIntegerField(default=0)
    children = models.PositiveSmallIntegerField(default=0)
    animals_mask = models.IntegerField(default=0)
    step_free = models.BooleanField(default=False)
    max_nights = models.PositiveSmallIntegerField(default=0)
    men_at_night = models.BooleanField(default=False)
    cell = models.BigIntegerField()
    res = models.PositiveSmallIntegerField()
    pub_lat = models.FloatField()
    pub_lng = models.FloatField()
    band = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "kind"], name="offerindex_unique"),
        ]
        indexes = [
            models.Index(
                fields=["kind", "available", "band", "pub_lng", "pub_lat"],
                name="offerindex_knn",
            ),
            # Members of a map cell: descendants are integer ranges of `cell`.
            models.Index(fields=["kind", "cell"], name="offerindex_cell"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.member_id}"


class CellCount(models.Model):
    """Roll-up of offers per (layer, map resolution, cell) for the map and density.

    At map resolution ``resolution`` an offer counts in the parent of its stored
    cell at ``min(resolution, its own res)``: a coarsened member is never drawn
    finer than her own cell.
    """

    class Layer(models.IntegerChoices):
        SUPPORT = 1, _("Help/support")
        SAFE_PLACE = 2, _("Safe place (members)")
        SAFE_PLACE_ALL = 3, _("Safe place (associations)")

    layer = models.PositiveSmallIntegerField(choices=Layer.choices)
    resolution = models.PositiveSmallIntegerField()
    cell = models.BigIntegerField()
    lat = models.FloatField()
    lng = models.FloatField()
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["layer", "resolution", "cell"], name="cellcount_unique"
            ),
        ]
        indexes = [
            models.Index(
                fields=["layer", "resolution", "lat", "lng"], name="cellcount_bbox"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.layer}/{self.resolution}/{self.cell}: {self.count}"
