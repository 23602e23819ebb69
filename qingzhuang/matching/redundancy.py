"""Group many fields into concepts (data items asked for by two or more fields).

Never all pairs: fields are first bucketed by their canonical label; inside a bucket each
field is compared with a few anchors, and across buckets only labels that share rare
character bigrams are compared.  Grouping is union-find with four guards: a rejected pair
never ends up in one concept, two fields of one form never do, two fields whose units cannot
be converted or whose qualifiers conflict never do (not even through a third field without a
unit), and two groups merge only if their representatives also match (this stops A~B~C
chains from joining A and C).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from qingzhuang.matching.compare import Model, get_model, score_prepared
from qingzhuang.matching.model import Concept, ConceptResult, FieldRef
from qingzhuang.matching.normalize import light, pull_unit, strip_numbering
from qingzhuang.matching.prepare import Prepared, prepare
from qingzhuang.matching.qualifiers import conflicts

ANCHORS = 3  # members of a bucket each field is compared with
SMALL_BUCKET = 8  # buckets up to this size are compared completely
MAX_DF = 60  # a bigram shared by more distinct labels than this is not a blocking key
MIN_SHARED = 0.5  # share of the shorter label's rare bigrams two labels must have in common

KeyPair = frozenset[str]


def pair_key(a_key: str, b_key: str) -> tuple[str, str]:
    """Canonical (sorted) order of a pair, as the Django layer stores it."""
    return (a_key, b_key) if a_key <= b_key else (b_key, a_key)


def _buckets(prepared: list[Prepared]) -> dict[str, list[int]]:
    buckets: dict[str, list[int]] = defaultdict(list)
    for i, p in enumerate(prepared):
        buckets[p.qlabel].append(i)
    return buckets


def _anchors(members: list[int], prepared: list[Prepared]) -> list[int]:
    """The first few members, from distinct forms, that stand for a bucket."""
    out: list[int] = []
    forms: set[str] = set()
    for i in members:
        form = prepared[i].ref.form
        if form and form in forms:
            continue
        forms.add(form)
        out.append(i)
        if len(out) == ANCHORS:
            break
    return out


def _within(members: list[int], prepared: list[Prepared]) -> Iterable[tuple[int, int]]:
    if len(members) <= SMALL_BUCKET:
        for x in range(len(members)):
            for y in range(x + 1, len(members)):
                yield members[x], members[y]
        return
    anchors = _anchors(members, prepared)
    for x, a in enumerate(anchors):
        for b in anchors[x + 1 :]:
            yield a, b
    anchor_set = set(anchors)
    for i in members:
        if i not in anchor_set:
            for a in anchors:
                yield a, i


def _across(buckets: dict[str, list[int]], prepared: list[Prepared]) -> Iterable[tuple[int, int]]:
    """Pairs of buckets whose labels share enough rare bigrams; one representative pair each."""
    labels = list(buckets)
    grams = [prepared[buckets[lab][0]].grams for lab in labels]
    df: Counter[str] = Counter(g for gs in grams for g in gs)
    postings: dict[str, list[int]] = defaultdict(list)
    rare: list[frozenset[str]] = []
    for li, gs in enumerate(grams):
        keep = frozenset(g for g in gs if df[g] <= MAX_DF)
        rare.append(keep)
        for g in keep:
            postings[g].append(li)
    for li, keep in enumerate(rare):
        shared: Counter[int] = Counter()
        for g in keep:
            for lj in postings[g]:
                if lj > li:
                    shared[lj] += 1
        for lj, n in shared.items():
            if n >= MIN_SHARED * max(1, min(len(keep), len(rare[lj]))):
                a, b = buckets[labels[li]], buckets[labels[lj]]
                yield from _representative_pair(a, b, prepared)


def _representative_pair(
    a: list[int], b: list[int], prepared: list[Prepared]
) -> Iterable[tuple[int, int]]:
    for i in a[:ANCHORS]:
        for j in b[:ANCHORS]:
            if not prepared[i].ref.form or prepared[i].ref.form != prepared[j].ref.form:
                yield i, j
                return


def _candidates(prepared: list[Prepared]) -> list[tuple[int, int]]:
    buckets = _buckets(prepared)
    seen: set[tuple[int, int]] = set()
    out: list[tuple[int, int]] = []
    for members in buckets.values():
        for i, j in _within(members, prepared):
            key = (i, j) if i < j else (j, i)
            if key not in seen:
                seen.add(key)
                out.append(key)
    for i, j in _across(buckets, prepared):
        key = (i, j) if i < j else (j, i)
        if key not in seen:
            seen.add(key)
            out.append(key)
    return out


def candidate_pairs(fields: Iterable[FieldRef]) -> list[tuple[FieldRef, FieldRef]]:
    """The pairs the blocking step would compare (for inspection and tests)."""
    refs = list(fields)
    prepared = [prepare(f) for f in refs]
    return [(refs[i], refs[j]) for i, j in _candidates(prepared)]


Profile = tuple[str | None, frozenset[tuple[str, str]]]


def _profile(p: Prepared) -> Profile:
    """What the unit and qualifier rules look at: fields with one profile never differ by them."""
    return (p.unit.dimension if p.unit else None, frozenset(p.quals.items()))


def _profiles_differ(a: Prepared, b: Prepared) -> bool:
    """Units that cannot be converted, or qualifiers that conflict (吨 vs 百株, 现价 vs 可比价)."""
    if a.unit and b.unit and a.unit.dimension != b.unit.dimension:
        return True
    return bool(conflicts(a.quals, b.quals))


@dataclass(slots=True)
class _Group:
    members: list[int]
    keys: set[str]
    forms: set[str]
    rep: int
    profiles: dict[Profile, int]  # one member per distinct profile
    pairs: list[tuple[str, str, float]] = field(default_factory=list)


class _Grouper:
    def __init__(self, prepared: list[Prepared], rejected: dict[str, set[str]], model: Model):
        self.p = prepared
        self.rejected = rejected
        self.model = model
        self.parent = list(range(len(prepared)))
        self.groups = {
            i: _Group([i], {p.ref.key}, {p.ref.form} - {""}, i, {_profile(p): i})
            for i, p in enumerate(prepared)
        }
        self.compared = 0

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def _blocked(self, ga: _Group, gb: _Group) -> bool:
        small, big = (ga, gb) if len(ga.keys) <= len(gb.keys) else (gb, ga)
        return any(self.rejected.get(k, set()) & big.keys for k in small.keys)

    def _profiles_differ(self, ga: _Group, gb: _Group) -> bool:
        """Some member of one group has a unit or qualifier that rules out some member of the
        other (吨 and 百株 joined through a field without a unit).  Compared per distinct
        profile, so a group of hundreds of fields costs a handful of checks."""
        return any(
            _profiles_differ(self.p[x], self.p[y])
            for x in ga.profiles.values()
            for y in gb.profiles.values()
        )

    def join(self, i: int, j: int, score: float, *, forced: bool = False) -> bool:
        ri, rj = self.find(i), self.find(j)
        if ri == rj:
            return False
        ga, gb = self.groups[ri], self.groups[rj]
        if self._blocked(ga, gb):
            return False
        if not forced:
            if ga.forms & gb.forms:
                return False
            if (len(ga.members) > 1 or len(gb.members) > 1) and self._profiles_differ(ga, gb):
                return False
            if {i, j} != {ga.rep, gb.rep}:
                self.compared += 1
                if not score_prepared(self.p[ga.rep], self.p[gb.rep], self.model)[1]:
                    return False
        if len(ga.members) < len(gb.members):
            ri, rj, ga, gb = rj, ri, gb, ga
        self.parent[rj] = ri
        ga.members += gb.members
        ga.keys |= gb.keys
        ga.forms |= gb.forms
        for prof, member in gb.profiles.items():
            ga.profiles.setdefault(prof, member)
        ga.pairs += gb.pairs
        ga.pairs.append((*pair_key(self.p[i].ref.key, self.p[j].ref.key), round(score, 4)))
        del self.groups[rj]
        return True


def _name(members: list[Prepared]) -> str:
    p = Counter(m.qlabel for m in members).most_common(1)[0][0]
    rep = next(m for m in members if m.qlabel == p)
    label = pull_unit(strip_numbering(light(rep.ref.label)))[0].replace(" ", "")
    return f"{rep.parent}：{label}" if rep.generic and rep.parent else label


def find_concepts(
    fields: Iterable[FieldRef],
    *,
    threshold: float | None = None,
    rejected: Collection[KeyPair] = frozenset(),
    confirmed: Collection[KeyPair] = frozenset(),
) -> ConceptResult:
    """Group fields into concepts; rejected pairs never join, confirmed pairs always do.

    ``rejected`` wins over ``confirmed`` if the two contradict (a person said "these are
    different" and that must survive re-analysis).
    """
    refs = list(fields)
    prepared = [prepare(f) for f in refs]
    base = get_model()
    model = base if threshold is None else Model(base.coef, base.intercept, threshold)
    rej: dict[str, set[str]] = defaultdict(set)
    for pair in rejected:
        a, b = sorted(pair)
        rej[a].add(b)
        rej[b].add(a)
    grouper = _Grouper(prepared, rej, model)
    index = {f.key: i for i, f in enumerate(refs)}
    for pair in confirmed:
        a, b = sorted(pair)
        if a in index and b in index:
            grouper.join(index[a], index[b], 1.0, forced=True)
    edges: list[tuple[float, int, int]] = []
    for i, j in _candidates(prepared):
        grouper.compared += 1
        score, same = score_prepared(prepared[i], prepared[j], model)
        if same:
            edges.append((score, i, j))
    edges.sort(key=lambda e: (-e[0], e[1], e[2]))
    for score, i, j in edges:
        grouper.join(i, j, score)
    groups = sorted(grouper.groups.values(), key=lambda g: (-len(g.members), min(g.members)))
    concepts: list[Concept] = []
    singletons: list[FieldRef] = []
    for g in groups:
        if len(g.members) < 2:
            singletons.append(refs[g.members[0]])
            continue
        members = sorted(g.members)
        concepts.append(
            Concept(
                id=f"C{len(concepts) + 1:05d}",
                name=_name([prepared[m] for m in members]),
                members=[refs[m] for m in members],
                pairs=g.pairs,
            )
        )
    return ConceptResult(concepts, singletons, grouper.compared)
