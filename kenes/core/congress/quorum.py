"""Is the hall quorate? A congress kind's rule applied to who is present.

A rule has two parts, both stated as exact fractions so the panel can say them in words:
a share of the entitled delegates ("more than 1/2", or "at least 2/3"), optionally a
share of the regions that have delegates, of which at least one delegate must be present
("delegates of at least 2/3 of the regions"), and optionally a least number present (a
founding congress: the law's initiative group). All must hold.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True)
class QuorumRule:
    share: Fraction  # of the entitled delegates
    strictly_more: bool = True  # "more than" (True) or "at least" (False) the share
    regions_share: Fraction | None = None  # of the regions with delegates; None: no such part
    minimum: int = 0  # at least this many present, whatever the share

    @classmethod
    def parse(
        cls, share: str, strictly_more: bool, regions_share: str = "", minimum: int = 0
    ) -> QuorumRule:
        """From the text a congress kind stores ("1/2", "2/3", "0.5"); ValueError if wrong."""
        parsed = _fraction(share)
        regions = _fraction(regions_share) if regions_share.strip() else None
        if minimum < 0:
            raise ValueError(f"a least number present is 0 or more, not {minimum}")
        return cls(parsed, strictly_more, regions, minimum)


def _fraction(text: str) -> Fraction:
    value = Fraction(text.strip())
    if not 0 <= value <= 1:
        raise ValueError(f"a share is between 0 and 1, not {text!r}")
    return value


def _needed(total: int, share: Fraction, strictly_more: bool) -> int:
    """The smallest count that satisfies "more than / at least share × total"."""
    exact = share * total
    whole = exact.numerator // exact.denominator
    if strictly_more:
        return whole + 1
    return whole if whole == exact else whole + 1


@dataclass(frozen=True)
class QuorumState:
    entitled: int
    present: int
    needed: int
    regions_entitled: int
    regions_present: int
    regions_needed: int  # 0 when the rule has no regions part

    @property
    def delegates_met(self) -> bool:
        return self.entitled > 0 and self.present >= self.needed

    @property
    def regions_met(self) -> bool:
        return self.regions_present >= self.regions_needed

    @property
    def met(self) -> bool:
        return self.delegates_met and self.regions_met


def evaluate(
    rule: QuorumRule,
    *,
    entitled_regions: Iterable[str],
    present_regions: Iterable[str],
) -> QuorumState:
    """The quorum given each entitled delegate's region and each present delegate's region
    (one item per delegate: a region repeats once per delegate)."""
    entitled = list(entitled_regions)
    present = list(present_regions)
    regions = set(entitled)
    regions_present = set(present) & regions
    regions_needed = (
        0
        if rule.regions_share is None
        else _needed(len(regions), rule.regions_share, strictly_more=False)
    )
    return QuorumState(
        entitled=len(entitled),
        present=len(present),
        needed=max(_needed(len(entitled), rule.share, rule.strictly_more), rule.minimum),
        regions_entitled=len(regions),
        regions_present=len(regions_present),
        regions_needed=regions_needed,
    )
