import datetime

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from sorority.accounts.models import User
from sorority.accounts.tests.factories import UserFactory
from sorority.core.scheduler import all_jobs
from sorority.privacy import jobs, services
from sorority.privacy.models import AbuserFlag, ErasureRecord

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 1, 10, 12, tzinfo=datetime.UTC)


def test_expired_flags_are_deleted_and_live_ones_kept(settings):
    settings.ABUSER_FLAGS_ENABLED = True
    old, recent = UserFactory(), UserFactory()
    with time_machine.travel(T0, tick=False):
        services.abuser_flag_create(member=old, family_name="A", given_names="B")
    with time_machine.travel(T0 + datetime.timedelta(days=400), tick=False):
        services.abuser_flag_create(member=recent, family_name="C", given_names="D")
    with time_machine.travel(T0 + datetime.timedelta(days=729), tick=False):
        assert jobs.purge_expired_flags() == 0
    with time_machine.travel(T0 + datetime.timedelta(days=731), tick=False):
        assert jobs.purge_expired_flags() == 1
    assert list(AbuserFlag.objects.values_list("member", flat=True)) == [recent.pk]


def test_flags_expire_even_while_the_feature_is_switched_off(settings):
    settings.ABUSER_FLAGS_ENABLED = True
    with time_machine.travel(T0, tick=False):
        services.abuser_flag_create(member=UserFactory(), family_name="A", given_names="B")
    settings.ABUSER_FLAGS_ENABLED = False
    with time_machine.travel(T0 + datetime.timedelta(days=800), tick=False):
        jobs.purge_expired_flags()
    assert not AbuserFlag.objects.exists()


def test_inactive_applicants_are_erased_after_the_configured_days(
    settings, django_capture_on_commit_callbacks
):
    settings.INACTIVE_APPLICANT_DAYS = 90
    with time_machine.travel(T0, tick=False):
        idle = UserFactory(status=User.Status.PENDING, email="idle-applicant@example.org")
        member = UserFactory(status=User.Status.MEMBER)
        active = UserFactory(status=User.Status.APPLICANT)
        refused = UserFactory(status=User.Status.REFUSED)
    with time_machine.travel(T0 + datetime.timedelta(days=60), tick=False):
        active.last_login = T0 + datetime.timedelta(days=60)
        active.save()
    with time_machine.travel(T0 + datetime.timedelta(days=89), tick=False):
        assert jobs.erase_inactive_applicants() == 0
    with (
        time_machine.travel(T0 + datetime.timedelta(days=91), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert jobs.erase_inactive_applicants() == 2
    remaining = set(User.objects.values_list("pk", flat=True))
    assert idle.pk not in remaining
    assert refused.pk not in remaining
    assert {member.pk, active.pk} <= remaining
    assert ErasureRecord.objects.filter(reason="inactive_applicant").count() == 2
    assert "idle-applicant@example.org" in [m.to[0] for m in mail.outbox]


def test_members_and_staff_accounts_are_never_erased_for_inactivity():
    with time_machine.travel(T0, tick=False):
        member = UserFactory(status=User.Status.MEMBER)
        operator = UserFactory(status=User.Status.APPLICANT, is_staff=True)
    with time_machine.travel(T0 + datetime.timedelta(days=1000), tick=False):
        jobs.erase_inactive_applicants()
    assert User.objects.filter(pk__in=[member.pk, operator.pk]).count() == 2


def test_the_scheduler_knows_the_privacy_jobs():
    names = {job.name for job in all_jobs()}
    assert {"privacy.expired_flags", "privacy.inactive_applicants"} <= names


def test_purge_expired_runs_every_apps_jobs_once(settings, capsys):
    settings.ABUSER_FLAGS_ENABLED = True
    with time_machine.travel(T0, tick=False):
        services.abuser_flag_create(member=UserFactory(), family_name="A", given_names="B")
        stale = UserFactory(status=User.Status.APPLICANT)
    with time_machine.travel(T0 + datetime.timedelta(days=800), tick=False):
        call_command("purge_expired")
    out = capsys.readouterr().out
    assert "privacy.expired_flags: ok" in out
    assert "privacy.inactive_applicants: ok" in out
    assert not AbuserFlag.objects.exists()
    assert not User.objects.filter(pk=stale.pk).exists()


def test_erasure_records_are_kept_three_years():
    with time_machine.travel(T0, tick=False):
        ErasureRecord.objects.create(reason="requested")
    with time_machine.travel(T0 + datetime.timedelta(days=1000), tick=False):
        assert jobs.purge_old_erasure_records() == 0
    with time_machine.travel(T0 + datetime.timedelta(days=1100), tick=False):
        assert jobs.purge_old_erasure_records() == 1
