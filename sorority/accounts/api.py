from django.http import HttpRequest
from ninja import Field, Router, Schema

from sorority.accounts.policies import may_add_second_factor, roles_of
from sorority.accounts.services import enrolment_code_redeem
from sorority.core.access import Access
from sorority.core.api import api_access

API_PREFIX = ""
router = Router(tags=["account"])


class MeOut(Schema):
    id: int
    email: str
    display_name: str
    status: str
    roles: list[str]
    discreet_mode: bool


@router.get("/me", response=MeOut, auth=api_access(Access.SIGNED_IN))
def me(request: HttpRequest) -> dict:
    """The signed-in person: state and roles (applicants included)."""
    user = request.user
    return {
        "id": user.pk,
        "email": user.email,
        "display_name": user.display_name,
        "status": user.status,
        "roles": sorted(roles_of(user)),
        "discreet_mode": user.discreet_mode,
    }


class EnrolmentCodeIn(Schema):
    code: str = Field(max_length=32)


class EnrolmentCodeOut(Schema):
    may_add_second_factor: bool


@router.post(
    "/me/enrolment-code",
    response=EnrolmentCodeOut,
    auth=api_access(Access.SIGNED_IN),
)
def enrolment_code(request: HttpRequest, payload: EnrolmentCodeIn) -> dict:
    """Use an operator's one-time enrolment code: this session may then add a factor.

    For a moderator without a factor (her password alone cannot add one). The app
    client's session is the one behind its X-Session-Token.
    """
    enrolment_code_redeem(
        user=request.user, code=payload.code, session_key=request.session.session_key
    )
    return {"may_add_second_factor": may_add_second_factor(request.user, request.session)}
