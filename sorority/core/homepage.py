"""Pieces that other apps add to the landing and home pages.

Apps above core register a section (a template and a context function) at start-up;
core never imports them.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    template: str
    context: Callable[[], dict]
    order: int = 50
    public: bool = True
    member: bool = False


_sections: list[Section] = []


def register_section(section: Section) -> None:
    if section not in _sections:
        _sections.append(section)


def landing_sections(*, member: bool = False) -> list[tuple[str, dict]]:
    chosen = [s for s in _sections if (s.member if member else s.public)]
    return [(s.template, s.context()) for s in sorted(chosen, key=lambda s: s.order)]
