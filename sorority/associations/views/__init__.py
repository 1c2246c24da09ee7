"""Pages: associations and staff, moderator review, cases, and the host's side.

Case pages use the MEMBER rule and then `cases_visible_to`: anyone who is not current
staff of the case's association (a plain member, a moderator, a former or foreign
staff member) gets the same 404 as for a case that does not exist.
"""

from sorority.associations.views.associations import (
    detail,
    export,
    home,
    invitation_answer,
    register,
    review,
    review_list,
    staff_invitation_withdraw,
    staff_invite,
    staff_remove,
)
from sorority.associations.views.cases import (
    case_detail,
    case_edit,
    case_list,
    case_new,
    case_notes,
    case_outreach,
    case_place,
    case_referent,
    case_safety,
    case_status,
    check_in,
    follow_up_new,
    placement_end,
    request_record,
)
from sorority.associations.views.host import (
    guest_check_in,
    hosting_detail,
    request_detail,
)

__all__ = [
    "case_detail",
    "case_edit",
    "case_list",
    "case_new",
    "case_notes",
    "case_outreach",
    "case_place",
    "case_referent",
    "case_safety",
    "case_status",
    "check_in",
    "detail",
    "export",
    "follow_up_new",
    "guest_check_in",
    "home",
    "hosting_detail",
    "invitation_answer",
    "placement_end",
    "register",
    "request_detail",
    "request_record",
    "review",
    "review_list",
    "staff_invitation_withdraw",
    "staff_invite",
    "staff_remove",
]
