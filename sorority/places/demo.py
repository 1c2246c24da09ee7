"""Demo community: 2,000+ members spread like France's population, with offers.

Communes are drawn with probability proportional to their population (cities,
small towns and rural communes alike), each member is placed at a random point
a few km around the town hall, snapped at once like any member. Everything is
written with ``bulk_create`` and the map counts are rebuilt at the end.
Idempotent: members are keyed by their e-mail address; a second run only
refreshes the three demo people's profiles.
"""

from __future__ import annotations

import itertools
import math
import random

from django.contrib.auth.hashers import make_password
from django.db import transaction

from sorority.accounts.models import User
from sorority.places import gazetteer, geo, locate
from sorority.places.models import (
    ANIMALS,
    SUPPORT_KINDS,
    OfferIndex,
    Profile,
    SafePlaceOffer,
    SupportOffer,
)
from sorority.places.services import (
    _index_rows,
    profile_update,
    rebuild_cell_counts,
)

COUNT = 2000
EMAIL = "place-{:04d}@demo.sorority.local"
FIRST_NAMES = ["Alice", "Amina", "Anaïs", "Awa", "Camille", "Chloé", "Claire", "Emma", "Fatou", "Inès", "Jade", "Julie", "Karima", "Léa", "Leïla", "Lina", "Louise", "Lucie", "Manon", "Maya", "Mélissa", "Nadia", "Nora", "Océane", "Rose", "Salomé", "Sarah", "Sofia", "Yasmine", "Zoé", "Agnès", "Brigitte", "Colette", "Denise", "Hélène", "Monique", "Odile", "Sylvie", "Mireille"]
AVAILABILITY = ("Evenings", "Weekends", "Weekdays after 6 pm", "Mornings", "Flexible")
HOUSEHOLDS = ("I live alone", "With my daughter", "With my partner (a woman)", "With two cats", "With my mother")


def _point(rng: random.Random, commune: gazetteer.Commune) -> tuple[float, float]:
    # Spread around the town hall: wider for larger communes (sqrt of population).
    spread_km = min(8.0, 0.5 + math.sqrt(commune.population) / 150)
    d = spread_km * math.sqrt(rng.random())
    theta = rng.random() * 2 * math.pi
    lat = commune.lat + (d / 111.2) * math.cos(theta)
    lng = commune.lng + (d / (111.2 * math.cos(math.radians(commune.lat)))) * math.sin(theta)
    return max(-90.0, min(90.0, lat)), max(-180.0, min(180.0, lng))


def _located(rng: random.Random, communes, weights):
    while True:
        commune = rng.choices(communes, cum_weights=weights, k=1)[0]
        lat, lng = _point(rng, commune)
        precision = rng.choices(("town", "district", "area"), weights=(80, 15, 5))[0]
        try:
            return precision, locate.locate_point(lat, lng, precision)
        except (locate.OutsideCoverageError, ValueError):
            continue


def seed_members(count: int = COUNT, *, seed: int = 2026) -> int:
    """Create the missing demo members with profiles and offers. Returns how many."""
    emails = [EMAIL.format(i) for i in range(count)]
    existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    missing = [(i, e) for i, e in enumerate(emails) if e not in existing]
    if not missing:
        return 0
    rng = random.Random(seed)  # noqa: S311 -- demo data, not a secret
    communes = [
        c for c in gazetteer.all_communes() if c.code not in {"75056", "69123", "13055"}
    ]
    weights = list(itertools.accumulate(max(c.population, 1) for c in communes))
    password = make_password(None)
    kinds = [k for k, _ in SUPPORT_KINDS]
    animals = [a for a, _ in ANIMALS]
    with transaction.atomic():
        users = User.objects.bulk_create(
            [
                User(
                    email=email,
                    display_name=f"{rng.choice(FIRST_NAMES)} {chr(65 + i % 26)}.",
                    status=User.Status.MEMBER,
                    password=password,
                )
                for i, email in missing
            ],
            batch_size=1000,
        )
        users = list(User.objects.filter(email__in=[e for _, e in missing]))
        profiles = []
        for user in users:
            precision, loc = _located(rng, communes, weights)
            profiles.append(
                Profile(
                    user=user, avatar=rng.choice(["iris", "rose", "lila", "sol", "mer", "foret", "nuit", "aube"]),
                    languages=["fr"] + (["en"] if rng.random() < 0.3 else []),
                    precision=precision, cell=loc.cell, res=loc.res, pub_lat=loc.lat,
                    pub_lng=loc.lng, band=loc.band, area_code=loc.area_code,
                    department=loc.department,
                    paused=rng.random() < 0.03,
                    phone=f"+336{rng.randrange(10**8):08d}",
                    show_phone=rng.random() < 0.2,
                    show_email=rng.random() < 0.1,
                    accepts_group_requests=rng.random() < 0.85,
                )
            )
        Profile.objects.bulk_create(profiles, batch_size=1000)
        profiles = list(
            Profile.objects.filter(user__in=users).select_related("user")
        )
        supports, safes = [], []
        for p in profiles:
            supports.append(
                SupportOffer(
                    profile=p,
                    offered=rng.random() < 0.6,
                    kinds=sorted(rng.sample(kinds, rng.randint(1, 3)), key=kinds.index),
                    availability=rng.choice(AVAILABILITY),
                )
            )
            mode = rng.choices(["now", "on_request", "dates"], weights=(4, 5, 1))[0]
            safes.append(
                SafePlaceOffer(
                    profile=p,
                    offered=rng.random() < 0.35,
                    type=rng.choice(["couch", "room", "home"]),
                    adults=rng.randint(1, 3),
                    children=rng.choice([0, 0, 1, 2, 3]),
                    animals=sorted(rng.sample(animals, rng.randint(0, 2)), key=animals.index),
                    step_free=rng.random() < 0.3,
                    max_nights=rng.choice([1, 2, 3, 7, 14, 30]),
                    household=rng.choice(HOUSEHOLDS),
                    men_at_night=rng.random() < 0.15,
                    availability=mode,
                    date_ranges=[{"start": "2026-01-01", "end": "2030-12-31"}] if mode == "dates" else [],
                    visibility="associations" if rng.random() < 0.1 else "members",
                )
            )
        SupportOffer.objects.bulk_create(supports, batch_size=1000)
        SafePlaceOffer.objects.bulk_create(safes, batch_size=1000)
        by_profile_s = {s.profile_id: s for s in supports}
        by_profile_h = {s.profile_id: s for s in safes}
        rows = []
        for p in profiles:
            p.support = by_profile_s[p.pk]
            p.safe_place = by_profile_h[p.pk]
            rows += _index_rows(p)
        OfferIndex.objects.bulk_create(rows, batch_size=2000)
    rebuild_cell_counts()
    return len(missing)


DEMO_PEOPLE = {
    "member": {
        "place": "69383", "bio": "Je peux écouter et accompagner.",
        "languages": ["fr", "en"], "support": {"offered": True, "kinds": ["listening", "medical"]},
    },
    "association_staff": {"place": "75118", "bio": "Association partenaire."},
    "moderator": {
        "place": "13201", "support": {"offered": True, "kinds": ["listening"]},
        "safe_place": {"offered": True, "type": "room", "adults": 1, "children": 1, "availability": "on_request"},
    },
}


def seed(ctx) -> None:
    made = seed_members()
    for role, data in DEMO_PEOPLE.items():
        user = ctx.people.get(role)
        if user is not None:
            profile_update(user=user, data=data)
    ctx.notes.append(
        f"places: {made} demo members created ({COUNT} in all), "
        f"{OfferIndex.objects.count()} offers indexed"
    )


__all__ = ["geo", "seed", "seed_members"]
