"""Demo data and the scheduled availability job."""

import datetime as dt
import time

import pytest
import time_machine

from sorority.core.demo import DemoContext
from sorority.places import demo, services
from sorority.places.models import OfferIndex, Profile, ProfileEvent
from sorority.places.tests.factories import located_member

pytestmark = pytest.mark.django_db


def test_demo_seeds_2000_members_across_france_quickly_and_idempotently(member):
    start = time.monotonic()
    ctx = DemoContext(people={"member": member})
    demo.seed(ctx)
    assert time.monotonic() - start < 30
    assert Profile.objects.filter(user__email__endswith="@demo.sorority.local").count() >= 2000
    departments = set(Profile.objects.values_list("department", flat=True))
    assert len(departments) > 80  # cities and rural départements alike
    assert Profile.objects.filter(res=7).exists()
    assert Profile.objects.filter(res__lt=7).exists()  # coarsened villages
    kinds = set(OfferIndex.objects.values_list("kind", flat=True))
    assert kinds == {OfferIndex.Kind.SUPPORT, OfferIndex.Kind.SAFE_PLACE}
    assert Profile.objects.get(user=member).cell is not None
    before = (Profile.objects.count(), OfferIndex.objects.count())
    demo.seed(ctx)
    assert (Profile.objects.count(), OfferIndex.objects.count()) == before


def test_available_tonight_turns_itself_off_the_next_morning():
    evening = dt.datetime(2026, 3, 10, 20, 0, tzinfo=services.PARIS)
    with time_machine.travel(evening, tick=False):
        host = located_member(
            "69123", safe_place={"availability": "on_request", "tonight": True}
        )
        row = OfferIndex.objects.get(member=host, kind=OfferIndex.Kind.SAFE_PLACE)
        assert row.immediate
    with time_machine.travel(evening + dt.timedelta(hours=15), tick=False):
        assert services.offers_refresh_availability() == 1
    row = OfferIndex.objects.get(member=host, kind=OfferIndex.Kind.SAFE_PLACE)
    assert not row.immediate
    assert ProfileEvent.objects.filter(kind=ProfileEvent.Kind.TONIGHT_EXPIRED).exists()


def test_date_ranges_make_a_host_available_only_on_those_days():
    with time_machine.travel(dt.datetime(2026, 3, 1, 12, tzinfo=services.PARIS), tick=False):
        host = located_member(
            "69123",
            safe_place={
                "availability": "dates",
                "date_ranges": [{"start": "2026-03-05", "end": "2026-03-06"}],
            },
        )
        assert not OfferIndex.objects.get(member=host, kind=2).available
    with time_machine.travel(dt.datetime(2026, 3, 5, 12, tzinfo=services.PARIS), tick=False):
        services.offers_refresh_availability()
        assert OfferIndex.objects.get(member=host, kind=2).available
