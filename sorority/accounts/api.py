from django.http import HttpRequest
from ninja import Router, Schema

from sorority.accounts.policies import roles_of
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
