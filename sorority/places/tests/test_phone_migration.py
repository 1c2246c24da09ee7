"""The data migration rewrites phone numbers stored before the E.164 rule."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from sorority.accounts.tests.factories import UserFactory

BEFORE = [("places", "0002_offerindex_cell_index")]
AFTER = [("places", "0003_phone_e164")]


@pytest.mark.django_db(transaction=True)
def test_stored_phones_become_e164_and_non_numbers_are_dropped():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Profile = old.get_model("places", "Profile")
    people = [UserFactory() for _ in range(3)]
    for user, phone in zip(
        people, ["06 12 34 56 78", "06.12.34.56.79", "call me"], strict=True
    ):
        Profile.objects.create(user_id=user.pk, phone=phone, show_phone=True)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    try:
        executor.migrate(AFTER)
    finally:  # leave the schema as the other tests expect it (every leaf)
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    from sorority.places.models import Profile as Current

    stored = {
        p.user_id: (p.phone, p.show_phone)
        for p in Current.objects.filter(user__in=people)
    }
    assert stored == {
        people[0].pk: ("+33612345678", True),
        people[1].pk: ("+33612345679", True),
        people[2].pk: ("", False),
    }
