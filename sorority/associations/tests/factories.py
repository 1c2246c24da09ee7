"""Factories and helpers for associations, staff and cases."""

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from sorority.accounts.tests.factories import UserFactory
from sorority.associations.models import Association, Case, Membership


class AssociationFactory(DjangoModelFactory[Association]):
    class Meta:
        model = Association

    name = factory.Sequence(lambda n: f"Association {n}")
    identifier_kind = Association.IdentifierKind.RNA
    identifier = factory.Sequence(lambda n: f"W{n:09d}")
    address = "1 rue de la Paix, 75002 Paris"
    representative = factory.SubFactory(UserFactory)
    status = Association.Status.APPROVED
    decided_at = factory.LazyFunction(timezone.now)


class MembershipFactory(DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    association = factory.SubFactory(AssociationFactory)
    user = factory.SubFactory(UserFactory)
    status = Membership.Status.ACTIVE
    joined_at = factory.LazyFunction(timezone.now)


class CaseFactory(DjangoModelFactory[Case]):
    class Meta:
        model = Case

    association = factory.SubFactory(AssociationFactory)
    label = factory.Sequence(lambda n: f"Case {n}")
    target_commune = "75056"
    notes = "Private notes"


def approved_association_with_staff(**kwargs: object) -> tuple[Association, object]:
    """An approved association whose representative is active staff with the role."""
    from sorority.accounts.models import RoleAssignment

    association = AssociationFactory(**kwargs)
    rep = association.representative
    MembershipFactory(association=association, user=rep, is_representative=True)
    RoleAssignment.objects.get_or_create(
        user=rep, role=RoleAssignment.Role.ASSOCIATION_STAFF
    )
    return association, rep


def add_staff(association: Association, user: object = None) -> object:
    from sorority.accounts.models import RoleAssignment

    user = user or UserFactory()
    MembershipFactory(association=association, user=user)
    RoleAssignment.objects.get_or_create(
        user=user, role=RoleAssignment.Role.ASSOCIATION_STAFF
    )
    return user
