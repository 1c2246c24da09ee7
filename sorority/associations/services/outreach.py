"""Outreach: one templated request to several hosts at once, and their answers."""

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, override

from sorority.accounts.models import User
from sorority.accounts.policies import blocked_user_ids, is_member
from sorority.associations import events, integrations, tasks
from sorority.associations.models import Case, HostRequest, Placement
from sorority.associations.policies import is_current_staff
from sorority.associations.services.cases import set_status
from sorority.core.errors import ApplicationError, Conflict, NotFound
from sorority.core.notify import notify_later
from sorority.core.tasking import enqueue_with_transaction

MESSAGE_MAX_LENGTH = 1000  # the sender's own words added to the request


def max_hosts() -> int:
    return int(getattr(settings, "CASE_OUTREACH_MAX_HOSTS", 10))


def request_text(case: Case, sender: User) -> str:
    """The templated request: the needs and the brief's safety questions, no label."""
    with override("fr"):
        hello = _(
            "Hello, I am %(name)s, a referent of the association %(association)s."
        ) % {
            "name": sender.display_name,
            "association": case.association.name,
        }
        if case.need == Case.Need.SUPPORT:
            return "\n".join(
                [
                    hello,
                    _(
                        "We are looking for someone to help a person we are helping (%(kinds)s)."
                    )
                    % {"kinds": ", ".join(case.support_kinds) or "-"},
                    _("Could you tell us when you are available?"),
                    "",
                    _(
                        "Please answer yes or no on the request page; we stay in touch with "
                        "you both."
                    ),
                ]
            )
        lines = [
            hello,
            _("We are looking for a safe place for a person we are helping:"),
            "- "
            + ngettext("%(n)d adult", "%(n)d adults", case.adults) % {"n": case.adults},
        ]
        if case.children_ages:
            ages = ", ".join(str(age) for age in case.children_ages)
            lines.append(
                "- "
                + ngettext(
                    "%(n)d child (age: %(ages)s)",
                    "%(n)d children (ages: %(ages)s)",
                    case.children,
                )
                % {"n": case.children, "ages": ages}
            )
        if case.animals:
            lines.append("- " + _("animals: %(a)s") % {"a": ", ".join(case.animals)})
        lines.append(
            "- "
            + ngettext("%(n)d night", "%(n)d nights", case.nights) % {"n": case.nights}
        )
        if case.step_free:
            lines.append("- " + _("step-free access needed"))
        lines += [
            "",
            _("Could you tell us:"),
            "- " + _("what you can offer (couch, room, whole home)?"),
            "- " + _("how many people you can take in?"),
            "- " + _("whether children and animals are welcome?"),
            "",
            _(
                "Please answer yes or no on the request page; we stay in charge of the "
                "stay and keep in touch with you both."
            ),
        ]
    return "\n".join(lines)


def excluded_host_ids(case: Case) -> set[int]:
    """Hosts not to contact again: previous hosts of the case, and anyone already asked."""
    previous = set(
        Placement.objects.filter(case=case).values_list("host_id", flat=True)
    )
    asked = set(HostRequest.objects.filter(case=case).values_list("host_id", flat=True))
    return {pk for pk in previous | asked if pk is not None}


@transaction.atomic
def outreach_send(
    *, case: Case, actor: User, host_ids: list[int], message: str = ""
) -> list[HostRequest]:
    """Send one templated request to up to ten hosts. Emits `outreach_sent`.

    Refused while the safety check is missing or says she is followed or threatened.
    Each request opens a conversation between the sender and the host when chat is
    available. The case goes to `searching`.
    """
    if not is_current_staff(actor, case.association_id):
        raise NotFound(_("Not found."))
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status not in (Case.Status.OPEN, Case.Status.SEARCHING):
        raise Conflict(
            _("Hosts can be contacted only for an open case."),
            code="case_not_searching",
        )
    if case.safety_asked_at is None:
        raise Conflict(
            _("Ask first whether she is followed or threatened."),
            code="safety_check_required",
        )
    if case.safety_threatened:
        raise Conflict(
            _(
                "She is followed or threatened: call 17 first. Never put a host in danger."
            ),
            code="threatened_call_17",
        )
    ids = list(dict.fromkeys(int(pk) for pk in host_ids))
    if not ids:
        raise ApplicationError(
            _("Choose at least one host."),
            code="no_hosts",
            fields={"host_ids": [_("Choose at least one host.")]},
        )
    if len(ids) > max_hosts():
        raise ApplicationError(
            _("Contact at most %(n)d hosts at once.") % {"n": max_hosts()},
            code="too_many_hosts",
            fields={"host_ids": [_("Too many hosts.")]},
        )
    waiting = set(
        HostRequest.objects.filter(
            case=case, status=HostRequest.Status.WAITING
        ).values_list("host_id", flat=True)
    )
    previous_hosts = set(
        Placement.objects.filter(case=case).values_list("host_id", flat=True)
    )
    message = (message or "").strip()
    if len(message) > MESSAGE_MAX_LENGTH:
        raise ApplicationError(
            _("At most %(n)d characters.") % {"n": MESSAGE_MAX_LENGTH},
            code="invalid",
            fields={
                "message": [_("At most %(n)d characters.") % {"n": MESSAGE_MAX_LENGTH}]
            },
        )
    hosts = {u.pk: u for u in User.objects.filter(pk__in=ids)}
    # One query for the blocks, whoever is on the list: a host who blocked the
    # sender is refused exactly like an id that does not exist.
    blocked = blocked_user_ids(actor)
    for pk in ids:
        host = hosts.get(pk)
        if (
            host is None
            or not is_member(host)
            or host.pk == actor.pk
            or host.pk in blocked
        ):
            raise ApplicationError(
                _("One of these hosts cannot be contacted."),
                code="host_unavailable",
                fields={"host_ids": [str(pk)]},
            )
        if pk in previous_hosts or pk in waiting:
            raise Conflict(
                _("One of these hosts was already contacted for this case."),
                code="host_excluded",
                fields={"host_ids": [str(pk)]},
            )
    batch = (
        HostRequest.objects.filter(case=case).aggregate(m=Max("batch"))["m"] or 0
    ) + 1
    text = request_text(case, actor)
    if message:
        text = f"{text}\n\n{message}"
    created = []
    for pk in ids:
        request = HostRequest.objects.create(
            case=case, host=hosts[pk], sent_by=actor, batch=batch, message=text
        )
        created.append(request)
    set_status(case, Case.Status.SEARCHING, actor)
    events.outreach_sent_event(case=case, actor=actor, batch=batch, host_ids=ids)

    # The conversations and the notices go out from the worker, after the commit.
    enqueue_with_transaction(
        tasks.deliver_requests, request_ids=[request.pk for request in created]
    )
    return created


def requests_deliver(*, request_ids: list[int]) -> int:
    """Open the conversation of each host request and notify its host (worker).

    A request already delivered (it has its conversation) is skipped, so running
    this twice sends nothing twice.
    """
    delivered = 0
    for request in (
        HostRequest.objects.filter(pk__in=request_ids, conversation_id__isnull=True)
        .select_related("host", "sent_by")
        .order_by("pk")
    ):
        if request.sent_by is None:
            continue
        conversation = integrations.open_conversation(
            sender=request.sent_by, recipient=request.host, text=request.message
        )
        if conversation:
            HostRequest.objects.filter(pk=request.pk).update(
                conversation_id=conversation
            )
        notify_later(
            user=request.host,
            subject=_("You have a new request"),
            body=_("Someone asked you something. Sign in to answer."),
            link_path=f"/associations/requests/{request.pk}/",
        )
        delivered += 1
    return delivered


def released_tell(*, request_ids: list[int], sender_id: int) -> int:
    """Thank each released host in her conversation and notify her (worker)."""
    sender = User.objects.filter(pk=sender_id).first()
    with override("fr"):
        text = _(
            "Thank you so much for your answer. The need has been met: a place "
            "was found. We may come back to you another time."
        )
    told = 0
    for other in HostRequest.objects.filter(pk__in=request_ids).select_related("host"):
        if other.conversation_id and sender is not None:
            integrations.post_message(
                conversation_id=other.conversation_id, sender=sender, text=text
            )
        notify_later(
            user=other.host,
            subject=_("A request was updated"),
            body=_("A request you received was updated. Sign in to see it."),
            link_path=f"/associations/requests/{other.pk}/",
        )
        told += 1
    return told


def _release_others(request: HostRequest, actor: User) -> list[int]:
    """Tell every other waiting host, politely, that the need is met."""
    others = list(
        HostRequest.objects.select_for_update()
        .filter(case=request.case, status=HostRequest.Status.WAITING)
        .exclude(pk=request.pk)
    )
    if not others:
        return []
    now = timezone.now()
    for other in others:
        other.status = HostRequest.Status.NEED_MET
        other.answered_at = now
        other.save(update_fields=["status", "answered_at"])
    ids = [other.host_id for other in others]
    events.others_released_event(case=request.case, actor=actor, host_ids=ids)
    sender = request.sent_by or actor

    enqueue_with_transaction(
        tasks.tell_released,
        request_ids=[other.pk for other in others],
        sender_id=sender.pk,
    )
    return ids


@transaction.atomic
def request_answer(*, request: HostRequest, actor: User, answer: str) -> HostRequest:
    """Record a host's answer (by herself, or by the case's staff on her behalf).

    Emits `host_answered`; the first acceptance tells the other waiting hosts that
    the need is met (`others_released`) and alerts the referent.
    """
    request = (
        HostRequest.objects.select_for_update()
        .select_related("case")
        .get(pk=request.pk)
    )
    is_host = request.host_id == actor.pk
    if not (is_host or is_current_staff(actor, request.case.association_id)):
        raise NotFound(_("Not found."))
    if answer not in (HostRequest.Status.ACCEPTED, HostRequest.Status.DECLINED):
        raise ApplicationError(
            _("Answer yes or no."),
            code="invalid",
            fields={"answer": [_("Answer yes or no.")]},
        )
    if request.status != HostRequest.Status.WAITING:
        raise Conflict(
            _("This request is no longer waiting for an answer."), code="request_closed"
        )
    request.status = answer
    request.answered_at = timezone.now()
    request.save(update_fields=["status", "answered_at"])
    events.host_answered_event(request=request, actor=actor)
    if answer == HostRequest.Status.ACCEPTED:
        _release_others(request, actor)
    referent = request.case.referent
    if is_host and referent is not None:
        notify_later(
            user=referent,
            subject=_("You have a new answer"),
            body=_("Someone answered. Sign in to see it."),
            link_path=f"/associations/cases/{request.case_id}/",
        )
    return request
