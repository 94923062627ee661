"""Choose among a response's documented media types by the request's ``Accept`` header.

RFC 9110 content negotiation: each media range of ``Accept`` carries a quality (``q``,
1 by default; ``q=0`` means "not this"); a documented type gets the quality of the most
specific range that covers it (``text/plain`` before ``text/*`` before ``*/*``), and the
type with the highest quality wins, the documented order breaking ties. No ``Accept``
header (or an empty one) accepts anything. When nothing documented is acceptable, the
caller answers 406, as Prism does.
"""

from __future__ import annotations

from collections.abc import Sequence

from usage_contract_kit.media import essence

__all__ = ["acceptable", "parse_accept"]

MediaRange = tuple[str, float]  # (type/subtype in lower case, quality)


def parse_accept(header: str | None) -> tuple[MediaRange, ...]:
    """The media ranges of an ``Accept`` header; ``()`` when there is none (anything goes)."""
    if not header or not header.strip() or header == "*/*":
        return ()
    ranges = []
    for part in header.split(","):
        kind, *params = part.split(";")
        kind = kind.strip().lower()
        if not kind:
            continue
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError:
                    quality = 0.0
        ranges.append((kind if "/" in kind or kind != "*" else "*/*", quality))
    return tuple(ranges)


def _quality(ranges: Sequence[MediaRange], content_type: str) -> float:
    actual = essence(content_type)
    main = actual.partition("/")[0]
    best: tuple[int, float] = (-1, 0.0)  # (specificity, quality)
    for kind, quality in ranges:
        if kind == actual:
            specificity = 2
        elif kind == f"{main}/*" or (actual.endswith("/*") and kind.partition("/")[0] == main):
            specificity = 1  # a range of the same type, either way round (a spec may document image/*)
        elif kind == "*/*" or actual in ("*/*", "*"):
            specificity = 0
        else:
            continue
        if specificity > best[0]:
            best = (specificity, quality)
    return best[1]


def acceptable(ranges: Sequence[MediaRange], content_types: Sequence[str]) -> int | None:
    """The index of the documented type to serve, or ``None`` if ``Accept`` refuses them all."""
    if not content_types:
        return None
    if not ranges:
        return 0
    best_index, best_quality = None, 0.0
    for index, content_type in enumerate(content_types):
        quality = _quality(ranges, content_type)
        if quality > best_quality:
            best_index, best_quality = index, quality
    return best_index
