import pytest


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run what services schedule after commit (e-mails) when the block ends."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
