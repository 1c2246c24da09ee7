"""Registry of what each app holds about a person (export and erasure).

Each app declares, next to its models, one `export_for(user)` and one `erase_for(user)`
and registers them in its `AppConfig.ready()`. The privacy app walks this registry; it
never imports the other apps' models. `models` lists the model labels ("app.Model") an
entry covers, so a test can fail when a model with personal data is left out.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sorority.accounts.models import User


@dataclass(frozen=True)
class PersonalData:
    app_label: str
    models: tuple[str, ...]
    export: Callable[["User"], dict | list]
    erase: Callable[["User"], None]
    order: int = 50  # erasure order: lower runs first (accounts last)


_registry: dict[str, PersonalData] = {}


def register(entry: PersonalData) -> None:
    _registry[entry.app_label] = entry


def registered() -> list[PersonalData]:
    return sorted(_registry.values(), key=lambda e: e.order)


def covered_models() -> set[str]:
    return {label for entry in _registry.values() for label in entry.models}
