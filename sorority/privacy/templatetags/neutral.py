"""`{% neutral _("Plain words") %}…{% endneutral %}`: the discreet wording of a text.

One tag for every template: in discreet mode (the `discreet` context variable set by
`sorority.core.context_processors.site`) the plain words replace what is between the
tags, so a title or heading that names the platform or what it is for reads as an
ordinary page. Outside discreet mode the enclosed text is shown as it is. The words
never shown in discreet mode are listed once, in `sorority.core.neutral`.
"""

from django import template
from django.template.base import (
    FilterExpression,
    NodeList,
    Parser,
    Token,
    render_value_in_context,
)
from django.template.context import Context

register = template.Library()


class NeutralNode(template.Node):
    def __init__(self, plain: FilterExpression, nodelist: NodeList) -> None:
        self.plain = plain
        self.nodelist = nodelist

    def render(self, context: Context) -> str:
        if context.get("discreet"):
            return render_value_in_context(self.plain.resolve(context), context)
        return self.nodelist.render(context)


@register.tag("neutral")
def do_neutral(parser: Parser, token: Token) -> NeutralNode:
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError(
            '{% neutral %} takes one argument, the plain wording: {% neutral _("…") %}'
        )
    plain = parser.compile_filter(bits[1])
    nodelist = parser.parse(("endneutral",))
    parser.delete_first_token()
    return NeutralNode(plain, nodelist)
