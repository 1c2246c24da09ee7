"""Demo community: each app seeds its own part through a `demo.py` with `seed(ctx)`.

Seeding is idempotent: running it twice changes nothing.
"""

from dataclasses import dataclass, field
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps


@dataclass
class DemoContext:
    """Shared between app seeders: the accounts created so far, and logins to print."""

    people: dict[str, object] = field(default_factory=dict)
    logins: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def seed_all() -> DemoContext:
    ctx = DemoContext()
    for config in apps.get_app_configs():
        if config.name.startswith("sorority.") and find_spec(f"{config.name}.demo"):
            module = import_module(f"{config.name}.demo")
            if hasattr(module, "seed"):
                module.seed(ctx)
    return ctx
