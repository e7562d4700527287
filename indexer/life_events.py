"""Recognise a life event ("bố tôi mới mất", "vo toi vua sinh em be") in a citizen's message.

The events and their everyday phrases are data (``knowledge/life_events.yaml``); this module
only matches them. A message typed with diacritics is matched with them, in canonical form
(NFC, one tone-mark placement: "hoà" = "hòa"), so "tui về hỏi lại rồi" names no lost bag
("túi … rơi"); a message typed without any is matched folded. Phrase syntax (see the data
file): segments separated by ``*`` (up to :data:`MAX_GAP` words in between, never across
punctuation), each segment a choice of word sequences separated by ``|``; ``.`` is
punctuation or the end of the message ("bố tôi mất." but not "bố tôi mất giấy tờ")."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from common.text.normalize import fold, nfc, typed_with_diacritics
from knowledge.schema import LifeEvent

MAX_GAP = 4
_PUNCT = re.compile(r"[,.;:!?…\n()\[\]\"“”]+")


def tokens(text: str, exact: bool = False) -> list[str]:
    """Words, with "." standing for punctuation and the end of the message: with diacritics
    in canonical form when ``exact``, else folded (no diacritics)."""
    text = nfc(text).lower() if exact else fold(text).lower()
    marked = _PUNCT.sub(" . ", text)
    words = re.sub(r"[^\w. ]", " ", marked).split()
    return [*words, "."]


def _alternatives(segment: str, exact: bool) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(tokens(alt, exact)[:-1]) or (".",) for alt in segment.split("|"))


@dataclass(frozen=True)
class Phrase:
    """One compiled phrase: per segment, its alternatives as word tuples, with diacritics
    (for messages typed with them: "rồi" is not "rơi") and folded (for messages without)."""

    segments: tuple[tuple[tuple[str, ...], ...], ...]
    folded: tuple[tuple[tuple[str, ...], ...], ...]
    heads: frozenset[str]  # first words of the first segment's alternatives (a match starts there)
    folded_heads: frozenset[str]

    @classmethod
    def parse(cls, text: str) -> Phrase:
        parts = text.split("*")
        if any(not alt.strip() for part in parts for alt in part.split("|")):
            raise ValueError(f"empty alternative in phrase {text!r}")
        segments = tuple(_alternatives(part, True) for part in parts)
        folded = tuple(_alternatives(part, False) for part in parts)
        return cls(
            segments,
            folded,
            frozenset(alt[0] for alt in segments[0]),
            frozenset(alt[0] for alt in folded[0]),
        )

    def match(self, words: Sequence[str], exact: bool = False) -> int:
        """The number of words the phrase matched in ``words`` (made by :func:`tokens` with the
        same ``exact``; its literal words, gaps not counted), 0 if none."""
        segments, heads = (self.segments, self.heads) if exact else (self.folded, self.folded_heads)
        return max(
            (self._match_from(segments, words, start, 0) for start, w in enumerate(words) if w in heads),
            default=0,
        )

    def _match_from(self, segments, words: Sequence[str], pos: int, segment: int) -> int:
        best = 0
        for alt in segments[segment]:
            if tuple(words[pos : pos + len(alt)]) != alt:
                continue
            end = pos + len(alt)
            if segment + 1 == len(segments):
                best = max(best, len(alt))
                continue
            for gap in range(MAX_GAP + 1):
                if gap and (end + gap - 1 >= len(words) or words[end + gap - 1] == "."):
                    break
                rest = self._match_from(segments, words, end + gap, segment + 1)
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
        phrase matches the most words wins, the earlier event in the file on a tie. An event one
        of whose ``unless`` phrases matches the message is not a candidate.
    """

    def __init__(self, events: Sequence[LifeEvent]) -> None:
        self.events = list(events)
        self._phrases = [(e, [Phrase.parse(p) for p in e.phrases]) for e in self.events]
        self._unless = {e.id: [Phrase.parse(p) for p in e.unless] for e in self.events}
        self._by_id = {e.id: e for e in self.events}
        # the phrases by their first word (exact, then folded): a phrase whose first word the
        # message lacks matches nothing, so a message is tried against a few phrases, not all
        self._by_head: dict[bool, dict[str, list[tuple[int, Phrase]]]] = {True: {}, False: {}}
        for i, (_, phrases) in enumerate(self._phrases):
            for phrase in phrases:
                for exact, heads in ((True, phrase.heads), (False, phrase.folded_heads)):
                    for head in heads:
                        self._by_head[exact].setdefault(head, []).append((i, phrase))

    def get(self, event_id: str) -> LifeEvent | None:
        return self._by_id.get(event_id)

    def match(self, text: str, also: Sequence[str] = ()) -> EventMatch | None:
        """The event ``text`` describes; ``also``: other forms of it to try (the normaliser's,
        with chat abbreviations expanded: "ck" → "chồng", "cccd" → "căn cước công dân")."""
        # typed with diacritics: matched with them ("tui … rồi" is not "túi … rơi"); the other
        # forms of a message typed without any ("lay ck" → "lay chồng") are matched folded
        exact = typed_with_diacritics(text)
        forms = [(tokens(form, exact), exact) for form in dict.fromkeys([text, *also]) if form]
        strengths: dict[int, int] = {}  # event index → words matched by its best phrase
        for words, exact in forms:
            tried: set[int] = set()
            for word in set(words):
                for i, phrase in self._by_head[exact].get(word, ()):
                    if id(phrase) not in tried:
                        tried.add(id(phrase))
                        strengths[i] = max(strengths.get(i, 0), phrase.match(words, exact))
        best: EventMatch | None = None
        for i in sorted(strengths):  # the file's order: the earlier event wins a tie
            event, strength = self.events[i], strengths[i]
            if strength and (best is None or strength > best.strength) and not self._ruled_out(event, forms):
                best = EventMatch(event, strength)
        return best

    def _ruled_out(self, event: LifeEvent, forms: list[tuple[list[str], bool]]) -> bool:
        return any(p.match(words, exact) for p in self._unless[event.id] for words, exact in forms)


@cache
def default_matcher() -> LifeEventMatcher:
    """The matcher over the knowledge base's events (loaded once per process)."""
    from knowledge.store import load_life_events

    return LifeEventMatcher(load_life_events())
