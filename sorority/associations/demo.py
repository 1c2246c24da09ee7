"""Demo association: approved, staffed by the demo association staff, with cases in
every state. Written through the services; idempotent (keyed by the RNA number and
the case labels).
"""

import logging
from datetime import timedelta

from django.utils import timezone

from sorority.associations import services
from sorority.associations.models import Association, Case, Membership
from sorority.associations.selectors import host_candidates
from sorority.core.demo import DemoContext
from sorority.core.errors import ApplicationError

logger = logging.getLogger(__name__)

RNA = "W751000017"
NAME = "Refuge Solidaire (démo)"


def _association(ctx: DemoContext) -> Association | None:
    staff = ctx.people.get("association_staff")
    moderator = ctx.people.get("moderator")
    if staff is None:
        return None
    association = Association.objects.filter(identifier=RNA).first()
    if association is None:
        association = services.association_register(
            representative=staff,
            name=NAME,
            identifier=RNA,
            address="12 rue de la Solidarité, 75011 Paris",
        )
    if association.status == Association.Status.PENDING:
        if moderator is not None:
            services.association_approve(association=association, actor=moderator)
        else:
            association.status = Association.Status.APPROVED
            association.save(update_fields=["status"])
    Membership.objects.get_or_create(
        association=association,
        user=staff,
        defaults={
            "status": Membership.Status.ACTIVE,
            "is_representative": True,
            "joined_at": timezone.now(),
        },
    )
    return association


def _contact(case: Case, staff: object, count: int) -> list:
    try:
        hosts = host_candidates(user=staff, case=case, limit=count)
    except ApplicationError:
        return []
    if not hosts:
        return []
    return services.outreach_send(
        case=case, actor=staff, host_ids=[h.member_id for h in hosts]
    )


def seed(ctx: DemoContext) -> None:
    association = _association(ctx)
    if association is None:
        return
    staff = ctx.people["association_staff"]
    existing = set(association.cases.values_list("label", flat=True))
    today = timezone.localdate()

    if "Rose" not in existing:
        services.case_open(
            association=association,
            actor=staff,
            label="Rose",
            target_commune="69123",
            adults=1,
            children_ages=[4, 9],
            nights=5,
            notes="Premier appel reçu ce matin.",
        )
    if "Lila" not in existing:
        lila = services.case_open(
            association=association,
            actor=staff,
            label="Lila",
            target_commune="75056",
            adults=1,
            animals=["cat"],
            nights=3,
            avoid_commune="93066",
            avoid_radius_km=5,
        )
        services.case_record_safety_check(case=lila, actor=staff, threatened=False)
        _contact(lila, staff, 4)
    if "Maya" not in existing:
        maya = services.case_open(
            association=association,
            actor=staff,
            label="Maya",
            target_commune="31555",
            adults=1,
            nights=7,
        )
        services.case_record_safety_check(case=maya, actor=staff, threatened=False)
        sent = _contact(maya, staff, 3)
        if sent:
            services.request_answer(request=sent[0], actor=staff, answer="accepted")
            placement = services.placement_record(
                case=maya,
                actor=staff,
                request=sent[0],
                starts_on=today,
                expected_end_on=today + timedelta(days=7),
            )
            services.check_in_log(
                follow_up=placement.follow_ups.filter(with_whom="host").first(),
                actor=staff,
                answer="fine",
                note="Tout se passe bien.",
            )
    if "Jeanne" not in existing:
        jeanne = services.case_open(
            association=association,
            actor=staff,
            label="Jeanne",
            need="support",
            support_kinds=["police", "listening"],
            target_commune="13055",
        )
        services.case_set_status(case=jeanne, actor=staff, status="closed")
    ctx.notes.append(
        f"Association « {association.name} »: {association.cases.count()} demo cases "
        f"(staff: {staff.email})."
    )
