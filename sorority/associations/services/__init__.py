"""Writes of the associations app (re-exported from one module per area)."""

from sorority.associations.services.associations import (
    association_approve,
    association_refuse,
    association_register,
    invitation_address,
    staff_accept,
    staff_decline,
    staff_invitation_withdraw,
    staff_invite,
    staff_remove,
)
from sorority.associations.services.cases import (
    case_assign_referent,
    case_open,
    case_purge_expired_notes,
    case_record_safety_check,
    case_set_notes,
    case_set_status,
    case_update_needs,
)
from sorority.associations.services.outreach import (
    excluded_host_ids,
    outreach_send,
    request_answer,
    request_text,
)
from sorority.associations.services.placements import (
    check_in_log,
    follow_up_schedule,
    follow_ups_flag_missed,
    follow_ups_remind,
    guest_check_in,
    placement_end,
    placement_record,
)

__all__ = [
    "association_approve",
    "association_refuse",
    "association_register",
    "case_assign_referent",
    "case_open",
    "case_purge_expired_notes",
    "case_record_safety_check",
    "case_set_notes",
    "case_set_status",
    "case_update_needs",
    "check_in_log",
    "excluded_host_ids",
    "follow_up_schedule",
    "follow_ups_flag_missed",
    "follow_ups_remind",
    "guest_check_in",
    "invitation_address",
    "outreach_send",
    "placement_end",
    "placement_record",
    "request_answer",
    "request_text",
    "staff_accept",
    "staff_decline",
    "staff_invitation_withdraw",
    "staff_invite",
    "staff_remove",
]
