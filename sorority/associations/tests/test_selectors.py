from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import sign_in
from sorority.accounts.tests.factories import UserFactory
from sorority.associations import jobs, selectors, services
from sorority.associations.tests.factories import approved_association_with_staff
from sorority.core.scheduler import all_jobs, run_job

pytestmark = pytest.mark.django_db


def placed(n_hosts: int = 3):
    association, rep = approved_association_with_staff()
    case = services.case_open(association=association, actor=rep, label="Rose")
    services.case_record_safety_check(case=case, actor=rep, threatened=False)
    sent = services.outreach_send(
        case=case, actor=rep, host_ids=[UserFactory().pk for _ in range(n_hosts)]
    )
    services.request_answer(request=sent[0], actor=sent[0].host, answer="accepted")
    placement = services.placement_record(
        case=case,
        actor=rep,
        request=sent[0],
        starts_on=timezone.localdate(),
        expected_end_on=timezone.localdate() + timedelta(days=2),
        duress_answer="quiet_day",
    )
    return case, rep, placement


def test_the_case_page_reads_in_a_fixed_number_of_queries(
    django_assert_max_num_queries,
):
    case, rep, _placement = placed(8)
    with django_assert_max_num_queries(8):
        loaded = selectors.case_get(user=rep, pk=case.pk)
        list(loaded.events.all())
        for request in loaded.requests.all():
            assert request.host.display_name
        for placement in loaded.placements.all():
            list(placement.follow_ups.all())


def test_the_case_list_reads_in_a_fixed_number_of_queries(
    django_assert_max_num_queries,
):
    _case, rep, _placement = placed()
    association = _case.association
    for i in range(5):
        services.case_open(association=association, actor=rep, label=f"C{i}")
    with django_assert_max_num_queries(3):
        cases = list(selectors.case_list(user=rep))
        assert all(c.referent.display_name for c in cases)
    assert len(cases) == 6


def test_a_duress_answer_flags_the_case_and_the_badge(client):
    _case, rep, placement = placed()
    assert selectors.attention_count(rep) == 0
    services.check_in_log(placement=placement, actor=placement.host, answer="quiet_day")
    assert selectors.attention_count(rep) == 1
    assert next(iter(selectors.case_list(user=rep))).needs_attention
    sign_in(client, rep)
    page = client.get(reverse("associations:case_list")).content.decode()
    assert 'class="badge"' in page


def test_the_jobs_are_registered_and_run():
    names = {job.name for job in all_jobs()}
    assert {job.name for job in jobs.JOBS} <= names
    placed()
    for job in jobs.JOBS:
        assert run_job(job)
