import pytest

from sorority.accounts import demo as accounts_demo
from sorority.chat import demo
from sorority.chat.models import Conversation, Message
from sorority.core.demo import DemoContext

pytestmark = pytest.mark.django_db


def test_demo_conversations_are_seeded_once():
    ctx = DemoContext()
    accounts_demo.seed(ctx)
    demo.seed(ctx)
    demo.seed(ctx)
    assert Conversation.objects.count() == 2
    assert Message.objects.count() == 5
    assert Conversation.objects.filter(kind="association").count() == 1
