"""Chat pages: list, conversation (htmx + WebSocket, works without JS), start."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sorority.accounts.models import User
from sorority.accounts.policies import blocked_user_ids
from sorority.accounts.targets import member_target
from sorority.chat import selectors, services
from sorority.chat.forms import ChatSettingsForm, MessageForm, StartForm
from sorority.chat.models import MESSAGE_MAX_LENGTH
from sorority.chat.policies import contact_refusal, conversations_visible_to
from sorority.core.access import Access, access
from sorority.core.errors import ApplicationError
from sorority.core.ids import parse_ids


def _after(request: HttpRequest) -> int | None:
    try:
        return max(0, int(request.GET.get("after", request.POST.get("after", ""))))
    except ValueError:
        return None


@access(Access.MEMBER)
def conversation_list(request: HttpRequest) -> HttpResponse:
    conversations = list(selectors.conversation_list(request.user)[:200])
    for conversation in conversations:
        conversation.other = selectors.other_person(conversation, request.user)
    return render(
        request, "chat/conversation_list.html", {"conversations": conversations}
    )


def _detail_context(
    request: HttpRequest, conversation: object, **extra: object
) -> dict:
    return {
        "conversation": conversation,
        "other": selectors.other_person(conversation, request.user),
        "max_length": MESSAGE_MAX_LENGTH,
        **extra,
    }


@access(Access.MEMBER)
def conversation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """History and form; `?after=` with htmx returns only the newer messages."""
    conversation = get_object_or_404(conversations_visible_to(request.user), pk=pk)
    after = _after(request)
    page = selectors.message_page(conversation, after=after)
    services.conversation_mark_read(user=request.user, conversation=conversation)
    last_id = page[-1].pk if page else (after or 0)
    context = _detail_context(
        request, conversation, chat_messages=page, last_id=last_id, form=MessageForm()
    )
    if request.htmx and after is not None:
        return render(request, "chat/conversation_detail.html#new_messages", context)
    return render(request, "chat/conversation_detail.html", context)


@access(Access.MEMBER)
@require_POST
def message_send(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = get_object_or_404(conversations_visible_to(request.user), pk=pk)
    form = MessageForm(request.POST)
    error = None
    if form.is_valid():
        try:
            services.message_send(
                sender=request.user,
                conversation_id=conversation.pk,
                text=form.cleaned_data["text"],
            )
        except ApplicationError as exc:
            error = exc.message
    else:
        error = _("Write a message of at most %(n)s characters.") % {
            "n": MESSAGE_MAX_LENGTH
        }
    if request.htmx:
        if error is not None:
            response = render(
                request,
                "chat/conversation_detail.html#send_error",
                {"send_error": error},
            )
            response["HX-Retarget"] = "#send-error"
            response["HX-Reswap"] = "innerHTML"
            return response
        after = _after(request) or 0
        page = selectors.message_page(conversation, after=after)
        context = _detail_context(
            request,
            conversation,
            chat_messages=page,
            last_id=page[-1].pk if page else after,
        )
        return render(request, "chat/conversation_detail.html#new_messages", context)
    if error:
        messages.error(request, error)
    return redirect(reverse("chat:detail", args=[conversation.pk]) + "#compose")


@access(Access.MEMBER)
def conversation_new(request: HttpRequest, member_id: int) -> HttpResponse:
    """The guided first message to a member found in search, on the map or a profile."""
    other = services.member_by_id(member_id, actor=request.user)
    refusal = contact_refusal(request.user, other)
    if refusal == "cannot_contact_self":
        messages.error(request, _("You cannot write to yourself."))
        return redirect("chat:list")
    if refusal == "blocked_by_you":
        messages.error(request, _("You blocked this person."))
        return redirect("chat:list")
    if refusal is not None:
        return render(request, "404.html", status=404)
    form = StartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            conversation, _message = services.conversation_start(
                starter=request.user, other=other, text=form.first_message()
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("chat:detail", pk=conversation.pk)
    return render(request, "chat/conversation_new.html", {"form": form, "other": other})


@access(Access.MEMBER)
def block_confirm(request: HttpRequest, member_id: int) -> HttpResponse:
    """Ask, then block: she and the other person disappear from each other at once."""
    # The same lookup as the API: someone who blocked her is an unknown id.
    target = member_target(request.user, member_id, **services.BLOCKABLE)
    other = target.user
    if other is None or other.pk == request.user.pk:
        return render(request, "404.html", status=404)
    if request.method == "POST":
        services.block_member(blocker=request.user, member_id=other.pk)
        messages.success(request, _("This person is blocked."))
        return redirect("chat:list")
    return render(request, "chat/block_confirm.html", {"other": other})


@access(Access.MEMBER)
def chat_settings(request: HttpRequest) -> HttpResponse:
    current = services.settings_for(request.user)
    form = ChatSettingsForm(
        request.POST or None,
        initial={
            "accept_several": current.accept_several,
            "email_unread": current.email_unread,
        },
    )
    if request.method == "POST" and form.is_valid():
        services.chat_settings_update(user=request.user, **form.cleaned_data)
        messages.success(request, _("Your settings are saved."))
        return redirect("chat:settings")
    return render(request, "chat/chat_settings.html", {"form": form})


@access(Access.MEMBER)
def contact_several(request: HttpRequest) -> HttpResponse:
    """One message to up to 10 chosen hosts (`?member_ids=` from the search results)."""
    source = request.POST if request.method == "POST" else request.GET
    ids = parse_ids(source.getlist("member_ids"), limit=services.SEVERAL_MAX + 1)
    people = list(
        User.objects.filter(pk__in=ids, status=User.Status.MEMBER, is_active=True)
        .exclude(pk__in=blocked_user_ids(request.user) | {request.user.pk})
        .order_by("display_name")
    )
    form = MessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.contact_several(
                sender=request.user, member_ids=ids, text=form.cleaned_data["text"]
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            sent = len(result["conversations"])
            messages.success(
                request,
                _("Your message was sent in %(n)s conversation(s).") % {"n": sent},
            )
            return redirect("chat:list")
    return render(
        request,
        "chat/contact_several.html",
        {
            "form": form,
            "people": people,
            "too_many": len(ids) > services.SEVERAL_MAX,
            "max": services.SEVERAL_MAX,
        },
    )
