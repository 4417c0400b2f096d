"""The public post of a review and the Reveal reply, as plain structures the cog renders one to one.

A review can be longer than one message allows (the seed review is about 6,000 characters), so the text is split
into pieces, each one embed description, packed into as many messages as needed within Discord's limits. Spoiler
text only ever goes into the description of a ``SPOILER`` embed, inside spoiler markup; titles, fields, footers,
authors and message content carry only the headline and the bot's own words. ``rebuild_review`` and
``rebuild_revealed`` read the text back from what was posted, to prove nothing was lost or changed.
"""

from __future__ import annotations

import dataclasses
import enum
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.domain.markup import inert
from bot.domain.reviews.markup import (
    CONTINUED,
    decode_chunk,
    encode_chunk,
    encode_line,
    encode_lines,
    encode_title,
    plain,
    utf16_len,
)
from bot.domain.reviews.model import Review, ReviewText
from bot.domain.reviews.spoilers import EpisodeRef

# Discord's limits (API v10), counted in UTF-16 code units to stay inside them however Discord counts.
EMBED_DESCRIPTION_LIMIT = 4096
EMBED_TITLE_LIMIT = 256
EMBED_FIELD_VALUE_LIMIT = 1024
EMBED_AUTHOR_LIMIT = 256
MESSAGE_EMBEDS_TOTAL_LIMIT = 6000
MESSAGE_EMBEDS_LIMIT = 10
MESSAGE_CONTENT_LIMIT = 2000
# A piece smaller than this starts a new message instead, unless it is the rest of the text.
MIN_PIECE = 400
# Room kept in every piece for the zero-width fences at both ends and the continuation mark.
_RESERVE = 2 + utf16_len(CONTINUED)

SPOILER_TITLE_PREFIX = "Spoilers"
CONTINUED_TITLE = "Spoilers, continued"
REVEAL_HINT = " · Reveal shows the spoilers if you have seen that far"


class Section(enum.Enum):
    """What an embed's description holds."""

    CLEAR = "clear"  # the spoiler-free part (the first embed also carries headline, grade, show, author)
    SPOILER = "spoiler"  # the spoiler part, every non-blank line inside spoiler markup
    REVEALED = "revealed"  # the spoiler part in the clear, only in the ephemeral Reveal reply


@dataclass(frozen=True, slots=True)
class EmbedField:
    name: str
    value: str
    inline: bool = True


@dataclass(frozen=True, slots=True)
class PostEmbed:
    section: Section
    description: str | None = None
    title: str | None = None
    fields: tuple[EmbedField, ...] = ()
    author: str | None = None
    footer: str | None = None

    def total(self) -> int:
        """This embed's share of the 6,000-character budget of a message's embeds."""
        parts = [self.title, self.description, self.author, self.footer]
        parts += [f.name for f in self.fields] + [f.value for f in self.fields]
        return sum(utf16_len(p) for p in parts if p)

    def to_dict(self) -> dict[str, Any]:
        """The embed as Discord's JSON (what ``discord.Embed.from_dict`` takes and what the API records)."""
        out: dict[str, Any] = {"type": "rich"}
        if self.title is not None:
            out["title"] = self.title
        if self.description is not None:
            out["description"] = self.description
        if self.fields:
            out["fields"] = [{"name": f.name, "value": f.value, "inline": f.inline} for f in self.fields]
        if self.author is not None:
            out["author"] = {"name": self.author}
        if self.footer is not None:
            out["footer"] = {"text": self.footer}
        return out


@dataclass(frozen=True, slots=True)
class PostMessage:
    """One message: ``content`` is the bot's own line (what a notification shows), ``buttons`` marks the message
    that carries the review's Reveal and Edit buttons (the last one)."""

    content: str | None
    embeds: tuple[PostEmbed, ...]
    buttons: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"content": self.content, "embeds": [e.to_dict() for e in self.embeds]}


@dataclass(frozen=True, slots=True)
class ReviewPost:
    messages: tuple[PostMessage, ...] = field(default_factory=tuple)

    def embeds(self) -> Iterator[PostEmbed]:
        for message in self.messages:
            yield from message.embeds


# -- splitting ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Piece:
    start: int
    end: int
    next_start: int
    continued: bool


def _joins(before: str, after: str) -> bool:
    """Whether cutting between these two characters would split what a reader sees as one character."""
    if unicodedata.category(after).startswith("M") or after in "\u200c\u200d" or before in "\u200d":
        return True
    code_after, code_before = ord(after), ord(before)
    # Skin tones (Sk) and tag characters (Cf); variation selectors are marks (Mn), caught above.
    if 0x1F3FB <= code_after <= 0x1F3FF or 0xE0020 <= code_after <= 0xE007F:
        return True
    if 0x1F1E6 <= code_before <= 0x1F1FF and 0x1F1E6 <= code_after <= 0x1F1FF:
        return True

    def jamo(cp: int) -> bool:
        return 0x1100 <= cp <= 0x11FF or 0xA960 <= cp <= 0xA97F or 0xD7B0 <= cp <= 0xD7FF

    return jamo(code_before) and jamo(code_after)


class _Section:
    """A section's text, the rendered length of each of its whole lines and where its blank lines start, computed
    once for all its pieces."""

    def __init__(self, text: str, spoiler: bool) -> None:
        self.text = text
        self.spoiler = spoiler
        self._costs: dict[int, int] = {}
        self.blank: set[int] = set()
        offset = 0
        # Two lists of one line each per line of ``text``, built equal: strict changes nothing.
        for line, rendered in zip(text.split("\n"), encode_lines(text, spoiler), strict=True):  # pragma: no mutate
            self._costs[offset] = utf16_len(rendered)
            if not line.strip():
                self.blank.add(offset)
            offset += len(line) + 1

    def line_cost(self, start: int, line: str) -> int:
        """Rendered length of ``line``, which starts at ``start`` in the text: a whole line or the rest of one cut
        before."""
        cost = self._costs.get(start)  # pragma: no mutate - a cache of whole lines: a miss computes the same
        if cost is None:
            cost = utf16_len(encode_line(line, self.spoiler))
        return cost

    def fits_whole(self, start: int, budget: int) -> bool:
        return utf16_len(encode_chunk(self.text[start:], self.spoiler)) <= budget


def _take(section: _Section, start: int, budget: int) -> _Piece | None:
    """The best piece of the section from ``start`` whose rendering fits ``budget``: all of it if it fits, else cut
    at a paragraph break, a line break, a space, or (for one very long word) between two characters."""
    text = section.text
    room = budget - _RESERVE
    if room <= 0:
        return _Piece(start, len(text), len(text), False) if section.fits_whole(start, budget) else None
    used = 0
    offset = start  # where the current line starts in ``text``
    # Ends (index of the "\n") of the longest runs of whole lines that fit, with the room they use.
    best_newline: tuple[int, int] | None = None
    best_paragraph: tuple[int, int] | None = None
    while True:
        end = text.find("\n", offset)
        last = end < 0
        if last:
            end = len(text)  # pragma: no mutate - only ever a slice's end, where None means the same
        line = text[offset:end]
        cost = section.line_cost(offset, line)  # pragma: no mutate - offset is only the cache's key there
        cost += int(offset > start)  # the line break before every line but the first
        if used + cost > room:
            break
        used += cost
        if last:  # the whole rest fits, fences and all (the reserve covers them)
            return _Piece(start, len(text), len(text), False)
        best_newline = (end, used)
        if line.strip() and end + 1 in section.blank:  # a paragraph ends here
            best_paragraph = (end, used)
        offset = end + 1
    # Near the end the rest may fit without the room kept for a continuation mark: check exactly (the lines so far
    # are a lower bound of the whole rest, so over the budget they rule it out without encoding it).
    may_fit = used + cost <= budget  # pragma: no mutate - a shortcut only: fits_whole decides
    if may_fit and section.fits_whole(start, budget):
        return _Piece(start, len(text), len(text), False)
    for candidate in (best_paragraph, best_newline):
        if candidate is not None and candidate[1] >= 0.6 * room:
            return _Piece(start, candidate[0], candidate[0] + 1, False)
    # Cut inside the line that does not fit (``line``), after as much of it as fits.
    left = room - used - int(offset > start)
    fit = _longest_prefix(line, left, section.spoiler)
    cut = _polish_cut(line, fit)
    if cut > 0:
        return _Piece(start, offset + cut, offset + cut, True)
    if best_newline is not None:
        return _Piece(start, best_newline[0], best_newline[0] + 1, False)
    return None


def _longest_prefix(line: str, room: int, spoiler: bool) -> int:
    """The longest prefix of ``line`` whose rendering fits ``room`` (rendered length grows with the prefix)."""
    low, high = 0, len(line)
    while low < high:
        mid = (low + high + 1) // 2  # pragma: no mutate - any mid in (low, high] finds the same answer
        if utf16_len(encode_line(line[:mid], spoiler)) <= room:
            low = mid
        else:
            high = mid - 1
    return low


def _polish_cut(line: str, fit: int) -> int:
    """Move a cut back to just after a space (within the last 30%), and never inside one visible character."""
    if fit >= len(line):
        return fit
    head = line[:fit]
    space = max(head.rfind(" "), head.rfind("\t"))  # -1 when there is none, and then never within the last 30%
    cut = space + 1 if space + 1 >= 0.7 * fit else fit
    while cut > 0 and _joins(line[cut - 1], line[cut]):  # cut <= fit < len(line): line[cut] exists
        cut -= 1
    if cut == 0:  # one cluster longer than the room: cut it rather than lose it
        cut = fit
    return cut


# -- building -----------------------------------------------------------------------------------------------------


def through_label(through: EpisodeRef | None, has_spoiler: bool, multi_season: bool) -> str:
    if not has_spoiler:
        return "no spoilers"
    return f"through {through.label(multi_season)}" if through is not None else "may cover the whole show"


def spoiler_title(through: EpisodeRef | None, multi_season: bool = False) -> str:
    return f"{SPOILER_TITLE_PREFIX} {through_label(through, True, multi_season)}"


class _Packer:
    """Fills messages with embeds within the per-message limits, starting with one empty message."""

    def __init__(self) -> None:
        self.messages: list[list[PostEmbed]] = [[]]

    def room(self, overhead: int) -> int:
        """Room for the description of one more embed of ``overhead`` in the current message (0: none)."""
        if len(self.messages[-1]) >= MESSAGE_EMBEDS_LIMIT:
            return 0
        left = MESSAGE_EMBEDS_TOTAL_LIMIT - sum(e.total() for e in self.messages[-1]) - overhead
        return min(EMBED_DESCRIPTION_LIMIT, left)

    def add_section(self, text: str, section: Section, first: PostEmbed, later_title: str | None) -> None:
        """Add ``text`` as embeds of ``section``: the first piece fills ``first`` (title, fields...), later pieces
        embeds titled ``later_title``. An empty ``text`` still adds ``first``, without a description."""
        spoiler = section is Section.SPOILER
        lines = _Section(text, spoiler)
        base = first
        start = 0
        while True:
            budget = self.room(base.total())
            piece = _take(lines, start, budget) if budget > 0 else None
            if piece is None or (budget < MIN_PIECE and piece.end < len(text)):
                if not self.messages[-1]:
                    raise ValueError("a single embed cannot hold this piece")  # Discord's limits allow every piece
                self.messages.append([])
                continue
            description = encode_chunk(text[piece.start : piece.end], spoiler, piece.continued)
            self.messages[-1].append(dataclasses.replace(base, description=description or None))
            start = piece.next_start
            if start >= len(text):
                return
            base = PostEmbed(section, title=later_title)


def build_review_post(
    review: Review,
    *,
    show_title: str,
    author_name: str,
    multi_season: bool = False,
) -> ReviewPost:
    """The public post: headline, grade, show, author and the spoiler-free part in the clear, the spoiler part in
    spoiler markup, split over as many embeds and messages as it takes. Buttons go on the last message."""
    text = review.text
    show = inert(show_title, 200)
    title = encode_title(text.headline)
    if utf16_len(title) > EMBED_TITLE_LIMIT:
        raise ValueError("headline too long for an embed title (the modal keeps it to 80 characters)")
    header = PostEmbed(
        Section.CLEAR,
        title=title,
        fields=(
            EmbedField("Show", show),
            EmbedField("Grade", review.grade.value),
            EmbedField("Spoilers", through_label(review.spoilers_through, text.has_spoiler, multi_season)),
        ),
        author=plain(f"Review by {author_name}", EMBED_AUTHOR_LIMIT),
        footer=f"Review #{review.id}" + (REVEAL_HINT if text.has_spoiler else ""),
    )
    packer = _Packer()
    packer.add_section(text.spoiler_free, Section.CLEAR, header, None)
    if text.has_spoiler:
        first = PostEmbed(Section.SPOILER, title=spoiler_title(review.spoilers_through, multi_season))
        packer.add_section(text.spoiler, Section.SPOILER, first, CONTINUED_TITLE)
    count = len(packer.messages)
    messages = []
    for index, embeds in enumerate(packer.messages):
        if index == 0:
            # Message content reads links, quotes and lists: the full encoding, not the title's.
            content = f"New review of {show}: {encode_chunk(text.headline)}"
        else:
            content = f"Review #{review.id}, continued ({index + 1} of {count})"
        messages.append(PostMessage(content, tuple(embeds), buttons=index == count - 1))
    return ReviewPost(tuple(messages))


def list_entry(review: Review, multi_season: bool = False) -> str:
    """One line of ``/review list``: id, grade, headline, author (a mention, which an embed never notifies), date and
    how far the spoilers go. Never any of the review's text beyond its headline."""
    stamp = int(review.created_at.timestamp())
    spoilers = through_label(review.spoilers_through, review.text.has_spoiler, multi_season)
    headline = encode_chunk(review.text.headline)
    author = f"<@{review.author_id}>"
    return f"**#{review.id}** · {review.grade.value} · {headline} · by {author} · <t:{stamp}:d> · {spoilers}"


def build_reveal(review: Review, *, multi_season: bool = False) -> tuple[PostMessage, ...]:
    """The ephemeral Reveal reply: the spoiler part in the clear, in as many messages as it takes (the first is
    the interaction response, the rest follow-ups)."""
    packer = _Packer()
    first = PostEmbed(Section.REVEALED, title=spoiler_title(review.spoilers_through, multi_season))
    packer.add_section(review.text.spoiler, Section.REVEALED, first, CONTINUED_TITLE)
    return tuple(PostMessage(None, tuple(embeds)) for embeds in packer.messages)


# -- reading back ---------------------------------------------------------------------------------------------------


def _embeds_of(messages: Sequence[Mapping[str, Any] | PostMessage]) -> list[Mapping[str, Any]]:
    embeds: list[Mapping[str, Any]] = []
    for message in messages:
        payload = message.to_dict() if isinstance(message, PostMessage) else message
        embeds.extend(payload.get("embeds") or [])
    return embeds


def _join(descriptions: Sequence[str]) -> str:
    out: list[str] = []
    for i, description in enumerate(descriptions):
        text, continued = decode_chunk(description)
        out.append(text)
        if i + 1 < len(descriptions) and not continued:
            out.append("\n")
    return "".join(out)


def rebuild_review(messages: Sequence[Mapping[str, Any] | PostMessage]) -> ReviewText:
    """The review text read back from a posted review's messages (Discord message JSON or ``PostMessage``s, in
    order): headline from the first embed's title, then each embed's description, the spoiler part starting at
    the first later embed titled "Spoilers..."."""
    embeds = _embeds_of(messages)
    if not embeds:
        raise ValueError("no embeds to rebuild a review from")
    headline, _ = decode_chunk(str(embeds[0].get("title") or ""))
    clear: list[str] = []
    hidden: list[str] = []
    target = clear
    for index, embed in enumerate(embeds):
        title = embed.get("title")
        if index and isinstance(title, str) and title.startswith(SPOILER_TITLE_PREFIX):
            target = hidden
        target.append(str(embed.get("description") or ""))
    return ReviewText(headline, _join(clear), _join(hidden))


def rebuild_revealed(messages: Sequence[Mapping[str, Any] | PostMessage]) -> str:
    """The spoiler part read back from the Reveal reply's messages."""
    return _join([str(e.get("description") or "") for e in _embeds_of(messages)])
