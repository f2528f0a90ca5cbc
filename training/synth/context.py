"""Per-document generation context: the random source, the truth, and helpers that emit entity spans."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from govreport.training.synth import entities
from govreport.training.synth.record import Facts
from govreport.training.synth.segments import ENT, NUM, Builder, Seg

_SLOT = re.compile(r"\{(\w+)\}")


@dataclass
class Ctx:
    rng: random.Random
    facts: Facts
    switches: set[str] = field(default_factory=set)
    next_group: int = 0
    next_ref: list[int] = field(default_factory=lambda: [0])
    used: set[str] = field(default_factory=set)   # sentence kinds a report says only once or twice

    def used_count(self, prefix: str) -> int:
        return sum(1 for u in self.used if u.startswith(prefix))

    # --- entity spans ---------------------------------------------------------------------------
    def agency(self) -> Seg:
        a = self.facts.agency
        # Mostly the full name; sometimes another name that still designates the body (tagged too).
        text = a.full if not a.alt_full or self.rng.random() < 0.82 else self.rng.choice(a.alt_full)
        return Seg(text, "AGENCY", ENT)

    def short(self) -> Seg:
        """The body's short form (区民政局, 拉堡镇): printed as a name, it is tagged AGENCY too."""
        return Seg(self.facts.agency.short, "AGENCY", ENT)

    def any_name(self, short: float = 0.4) -> Seg:
        return self.short() if self.rng.random() < short else self.agency()

    def year(self) -> Seg:
        return Seg(str(self.facts.year), "REPORT_YEAR", NUM)

    def published(self, style: str | None = None) -> Seg:
        y, m, d = self.facts.published
        return Seg(entities.format_date(self.rng, y, m, d, style), "PUBLISHED_DATE", NUM, (y, m, d))

    def leader_pair(self, i: int | None = None) -> tuple[Seg, Seg] | None:
        if not self.facts.leaders:
            return None
        name, title = self.facts.leaders[i if i is not None else self.rng.randrange(len(self.facts.leaders))]
        self.next_group += 1
        return Seg(title, "LEADER_TITLE", ENT, group=self.next_group), Seg(name, "LEADER_NAME", ENT,
                                                                            group=self.next_group)

    def pick(self, items: list[str]) -> str | None:
        return self.rng.choice(items) if items else None

    def ent(self, label: str, items: list[str]) -> Seg | None:
        value = self.pick(items)
        if value is None:
            return None
        return Seg(value, label, ENT if label == "ADDRESS" else NUM)

    def amount(self) -> Seg:
        rng = self.rng
        if rng.random() < 0.6:
            value: int | float = rng.choice((rng.randint(5, 999), rng.randint(1000, 99999)))
            unit = "元"
            text = str(value)
            if value >= 1000 and rng.random() < 0.3:
                text = f"{value:,}"
        else:
            value = round(rng.uniform(0.1, 500), rng.choice((1, 2, 4)))
            unit = "万元"
            text = str(value)
        return Seg(text + rng.choice(("", "", " ")) + unit, "AMOUNT", NUM, unit)

    def n(self, lo: int = 1, hi: int = 500) -> str:
        """A prose number that is not a table cell (never labelled)."""
        return str(self.rng.randint(lo, hi))

    # --- emitting -------------------------------------------------------------------------------
    def emit(self, b: Builder, template: str, **slots: Seg | str | None) -> bool:
        """Write a sentence template; {slot}s are spans (Seg) or plain text. False if a slot is missing."""
        parts = _SLOT.split(template)
        if any(slots.get(name) is None and name in slots for name in parts[1::2]):
            return False
        for i, part in enumerate(parts):
            if i % 2 == 0:
                b.add(part)
                continue
            value = slots.get(part)
            if isinstance(value, Seg):
                b.segs.append(value)
            elif value is not None:
                b.add(value)
            else:
                b.add("{" + part + "}")
        return True

