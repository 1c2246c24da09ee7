"""API authentication: a session cookie or allauth's X-Session-Token, then the rule.

Every Ninja operation gets `auth=api_access(Access.X)`; the URL-walk test fails for any
operation that has none.
"""

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from ninja.security import SessionAuth

from sorority.core.access import Access
from sorority.core.errors import AccessDenied


class RuleAuth(SessionAuth):
    """Authenticate by session (with CSRF) or X-Session-Token, then apply a rule."""

    openapi_type = "apiKey"

    def __init__(self, rule: Access) -> None:
        super().__init__(csrf=True)
        self.rule = rule

    def __call__(self, request: HttpRequest) -> object | None:
        from allauth.headless.internal.sessionkit import authenticate_by_x_session_token

        from sorority.accounts.policies import access_denial, mark_second_factor

        token = request.headers.get("X-Session-Token")
        if token:
            result = authenticate_by_x_session_token(token)
            if result is None or result.user is None:
                return None
            request.user = result.user
            request.session = result.session
            user = result.user
        else:
            user = super().__call__(request)  # checks CSRF for cookie sessions
            if user is None:
                request.user = AnonymousUser()
                return None
        # The token's session (or the cookie's) says whether a second factor was used.
        mark_second_factor(request.user, request)
        denial = access_denial(request.user, self.rule, request)
        if denial is None:
            return user
        if denial.value == "not_authenticated":
            return None
        raise AccessDenied(denial.value.replace("_", " ").capitalize(), code=denial.value)


class PublicAuth:
    """Marks an operation as deliberately public (the walk test looks for it)."""

    access_rule = Access.PUBLIC

    def __call__(self, request: HttpRequest) -> object:
        return True


def api_access(rule: Access) -> list:
    """Return the `auth=` value for a Ninja operation or router under `rule`."""
    if rule is Access.PUBLIC:
        return [PublicAuth()]
    return [RuleAuth(rule)]
