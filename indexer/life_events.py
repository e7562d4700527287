"""Recognise a life event ("bố tôi mới mất", "vo toi vua sinh em be") in a citizen's message.

The events and their everyday phrases are data (``knowledge/life_events.yaml``); this module
only matches them, on folded text (no diacritics, lower case), so both tone-mark placements
and text typed without diacritics match alike. Phrase syntax (see the data file): segments
separated by ``*`` (up to :data:`MAX_GAP` words in between, never across punctuation), each
segment a choice of word sequences separated by ``|``; ``.`` is punctuation or the end of
the message ("bố tôi mất." but not "bố tôi mất giấy tờ").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from indexer.text.normalize import fold
from knowledge.schema import LifeEvent

MAX_GAP = 3
_PUNCT = re.compile(r"[,.;:!?…\n()\[\]\"“”]+")


def tokens(text: str) -> list[str]:
    """Folded words, with "." standing for punctuation and the end of the message."""
    marked = _PUNCT.sub(" . ", fold(text).lower())
    words = re.sub(r"[^\w. ]", " ", marked).split()
    return [*words, "."]


@dataclass(frozen=True)
class Phrase:
    """One compiled phrase: per segment, its alternatives as word tuples."""

    segments: tuple[tuple[tuple[str, ...], ...], ...]

    @classmethod
    def parse(cls, text: str) -> Phrase:
        segments = []
        for segment in text.split("*"):
            alternatives = tuple(tuple(tokens(alt)[:-1]) or (".",) for alt in segment.split("|"))
            if any(not alt for alt in alternatives):
                raise ValueError(f"empty alternative in phrase {text!r}")
            segments.append(alternatives)
        return cls(tuple(segments))

    def match(self, words: Sequence[str]) -> int:
        """The number of words the phrase matched (its literal words, gaps not counted), 0 if none."""
        best = 0
        for start in range(len(words)):
            best = max(best, self._match_from(words, start, 0))
        return best

    def _match_from(self, words: Sequence[str], pos: int, segment: int) -> int:
        best = 0
        for alt in self.segments[segment]:
            if tuple(words[pos : pos + len(alt)]) != alt:
                continue
            end = pos + len(alt)
            if segment + 1 == len(self.segments):
                best = max(best, len(alt))
                continue
            for gap in range(MAX_GAP + 1):
                if gap and (end + gap - 1 >= len(words) or words[end + gap - 1] == "."):
                    break
                rest = self._match_from(words, end + gap, segment + 1)
                if rest:
                    best = max(best, len(alt) + rest)
        return best


@dataclass(frozen=True)
class EventMatch:
    event: LifeEvent
    strength: int  # words matched by the best phrase


class LifeEventMatcher:
    """Which life event a message describes, if any.

    :param events: the curated events (``knowledge.store.load_life_events()``); the event whose
        phrase matches the most words wins, the earlier event in the file on a tie.
    """

    def __init__(self, events: Sequence[LifeEvent]) -> None:
        self.events = list(events)
        self._phrases = [(e, [Phrase.parse(p) for p in e.phrases]) for e in self.events]
        self._by_id = {e.id: e for e in self.events}

    def get(self, event_id: str) -> LifeEvent | None:
        return self._by_id.get(event_id)

    def match(self, text: str) -> EventMatch | None:
        words = tokens(text)
        best: EventMatch | None = None
        for event, phrases in self._phrases:
            strength = max((p.match(words) for p in phrases), default=0)
            if strength and (best is None or strength > best.strength):
                best = EventMatch(event, strength)
        return best


@cache
def default_matcher() -> LifeEventMatcher:
    """The matcher over the knowledge base's events (loaded once per process)."""
    from knowledge.store import load_life_events

    return LifeEventMatcher(load_life_events())
