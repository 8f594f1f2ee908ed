"""Matching people across projects and sources: one person may be ``Ana Silva`` in a plan,
``silva, ana`` in an allocation sheet and ``ana.silva@example.com`` in Jira.

Key of a person = the e-mail (lower-case) when one is known, else the *normalised name*:
accents removed, case folded, ``Last, First`` turned into ``First Last``, punctuation dropped,
spaces collapsed. A name seen together with an e-mail links the two. The user's alias list
(alias -> canonical name, ``Store.aliases('person')``) wins over everything else.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

_NON_WORD = re.compile(r"[^\w\s@.+-]|_")


def normalise_name(value) -> str:
    """``"Silva, Ána "`` -> ``"ana silva"``; ``""`` for empty."""
    if value is None or value != value:
        return ""
    text = unicodedata.normalize("NFKD", str(value)).encode("ascii", "ignore").decode()
    text = text.strip().casefold()
    if "@" in text:
        return text
    if text.count(",") == 1:
        last, first = (part.strip() for part in text.split(","))
        text = f"{first} {last}"
    text = _NON_WORD.sub(" ", text).replace(".", " ")
    return " ".join(text.split())


def display_name(value) -> str:
    """How a name is shown: spaces collapsed, ``Silva, Ana`` turned into ``Ana Silva``."""
    text = " ".join(str(value).split())
    if text.count(",") == 1:
        last, first = (part.strip() for part in text.split(","))
        text = f"{first} {last}".strip()
    return text


def is_email(value) -> bool:
    return isinstance(value, str) and bool(re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value.strip()))


@dataclass
class PersonIndex:
    """Resolves (name, e-mail) pairs to one display name per person."""

    aliases: dict[str, str] = field(default_factory=dict)  # normalised alias -> canonical display name
    display: dict[str, str] = field(default_factory=dict)  # normalised name -> first spelling seen
    email_name: dict[str, str] = field(default_factory=dict)  # e-mail -> normalised name

    @classmethod
    def build(cls, pairs: Iterable[tuple[object, object]], aliases: dict[str, str] | None = None) -> PersonIndex:
        index = cls({normalise_name(k): v.strip() for k, v in (aliases or {}).items() if normalise_name(k) and v})
        for name, email in pairs:
            index.learn(name, email)
        return index

    def learn(self, name, email) -> None:
        key = normalise_name(name)
        mail = normalise_name(email) if is_email(email) else ""
        if is_email(name):
            key, mail = "", normalise_name(name)
        shown = self.display.get(key)
        if key and (shown is None or (shown == shown.lower() and display_name(name) != shown.lower())):
            self.display[key] = display_name(name)  # a capitalised spelling beats an all-lower-case one
        if key and mail and mail not in self.email_name:
            self.email_name[mail] = key

    def canonical(self, name, email=None) -> str | None:
        """The display name of the person behind ``name``/``email`` (None when both are empty)."""
        key, mail = normalise_name(name), normalise_name(email) if is_email(email) else ""
        if is_email(name):
            key, mail = "", normalise_name(name)
        for candidate in (mail, key):
            if candidate and candidate in self.aliases:
                return self.aliases[candidate]
        if mail and mail in self.email_name:
            key = self.email_name[mail]
        if key:
            resolved = self.display.get(key, display_name(name))
            return self.aliases.get(normalise_name(resolved), resolved)
        return mail or None
