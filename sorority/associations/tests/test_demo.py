import pytest

from sorority.accounts import demo as accounts_demo
from sorority.associations import demo
from sorority.associations.models import Association, Case, CaseEvent
from sorority.core.demo import DemoContext
from sorority.places.tests.factories import located_member

pytestmark = pytest.mark.django_db

ROOM = {
    "type": "room",
    "adults": 2,
    "animals": ["cat"],
    "max_nights": 10,
    "availability": "now",
}


def test_demo_seeds_an_association_with_cases_in_every_state_idempotently():
    for place in ("75056", "75056", "31555", "31555"):
        located_member(place, safe_place=ROOM)
    ctx = DemoContext()
    accounts_demo.seed(ctx)
    demo.seed(ctx)
    events = CaseEvent.objects.count()
    demo.seed(ctx)
    association = Association.objects.get()
    assert association.status == "approved"
    assert association.memberships.get().user == ctx.people["association_staff"]
    statuses = dict(Case.objects.values_list("label", "status"))
    assert statuses == {
        "Rose": "open",
        "Lila": "searching",
        "Maya": "placed",
        "Jeanne": "closed",
    }
    assert CaseEvent.objects.count() == events
