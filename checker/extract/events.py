"""Which event a date or a place belongs to, read from the parse.

A date or place phrase hangs off a predicate: walking up the dependency tree
from the phrase reaches the verb it modifies ("died on Thursday", "clashed
near the town of Suja") or an event noun ("his death at home on Thursday").
The event is that predicate, normalized to a class by rules/events.yaml
(die, pass away, succumb and death are all "die"), with its participants:
subject, object and possessor, pronouns resolved to the nearest fitting
name before them.
"died on Thursday" and "died on Friday" for one person meet; "met in June"
and "attacked in November" do not.

Statements are not events: a date on "said" or "reported" dates the
statement, so such phrases give no event and no claim.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from checker.extract.common import REPORTING_VERBS, children_with, ent_at, ents_between

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

    from checker.rules import Rules

# The event vocabulary (event classes, once-only events, light verbs, event
# nouns, particle verbs, nouns that are not events) is in rules/events.yaml
# (``rules.events``). The dependency walk and pronouns are grammar, kept here.
WALK_DEPS = {
    "prep",
    "pobj",
    "npadvmod",
    "nmod",
    "compound",
    "appos",
    "advmod",
    "tmod",
    "obl",
    "nummod",
    "quantmod",
    "amod",
    "dep",
    "pcomp",
}
# Verbs that report only with a clause ("police found that ..."); with an object they are events.
FINDING_VERBS = {"find", "show", "record", "count", "tally"}
PRONOUNS = {"he", "him", "his", "she", "her", "hers", "it", "its"}


@dataclass
class Event:
    """An event a date or place belongs to: its class and its participants."""

    verb: str
    args: list[str] = field(default_factory=list)
    arg_spans: list[list[int] | None] = field(default_factory=list)
    named: list[bool] = field(default_factory=list)
    head: int = -1  # token index of the predicate
    future: bool = False

    @property
    def subject(self) -> str:
        return event_subject(self.verb, self.args)

    def to_dict(self) -> dict:
        return {"verb": self.verb, "args": self.args, "arg_spans": self.arg_spans, "named": self.named}


def event_subject(verb: str, args: list[str]) -> str:
    """The claim subject of an event: "<class> <main participant>"."""
    return f"{verb} {args[0]}".strip() if args else verb


def _dated_subject(tok: Token, nouns: frozenset[str]) -> Token | None:
    """The event noun of "The shooting of X on Saturday sparked riots": the subject the date follows.

    The parser hangs a date standing between an event-noun subject and its
    verb on the verb; English puts it there to date the subject ("the quake on
    Monday killed five"), so the noun is the event.
    """
    prep = tok.head if tok.dep_ == "pobj" else None
    if prep is None or prep.dep_ != "prep" or prep.lower_ not in ("on", "in", "at", "during"):
        return None
    verb = prep.head
    if verb.pos_ not in ("VERB", "AUX") or verb.i < prep.i:
        return None
    for subj in verb.children:
        if subj.dep_ in ("nsubj", "nsubjpass") and subj.lemma_.lower() in nouns and subj.i < prep.i:
            gap = [t for t in subj.doc[subj.right_edge.i + 1 : prep.i] if not t.is_punct]
            if not gap:
                return subj
    return None


def predicate_of(tok: Token, rules: Rules, max_steps: int = 6) -> Token | None:
    """The verb or event noun a date/place phrase at ``tok`` modifies.

    A phrase inside a noun ("the 1972 break-in", "Wednesday's quake") dates
    that noun; "until May 30, 2005 when Felt's family revealed" dates the
    clause introduced by "when".
    """
    classes = rules.lookups["event"]
    nouns = rules.events.noun_set
    for c in tok.children:
        if (
            c.dep_ in ("relcl", "advcl")
            and c.pos_ in ("VERB", "AUX")
            and any(g.lower_ in ("when", "that") for g in c.children)
        ):
            return c
    if (
        tok.dep_ in ("compound", "nummod", "amod", "poss", "nmod")
        and tok.head.pos_ in ("NOUN", "PROPN")
        and tok.head.i > tok.i
    ):
        return tok.head
    subject_event = _dated_subject(tok, nouns)
    if subject_event is not None:
        return subject_event
    node = tok
    for _ in range(max_steps):
        head = node.head
        if head == node:
            return node if node.pos_ in ("VERB", "AUX") else None
        if head.pos_ in ("VERB", "AUX"):
            if not _concurrent_participle(head):
                return head
            node = head  # "foiled an attack on ships transiting the strait on Friday": walk on
            continue
        # "the exact cause of his death ... on Thursday": the event is the death.
        if head.pos_ == "NOUN" and head.lemma_.lower() not in nouns:
            for c in head.children:
                if c.dep_ == "prep" and c.lower_ == "of":
                    for o in c.children:
                        if o.dep_ == "pobj" and o.lemma_.lower() in nouns and o.lemma_.lower() in classes:
                            return o
        if (
            head.pos_ == "NOUN"
            and (head.lemma_.lower() in nouns or _compound_text(head) in nouns)
            and node.dep_ in ("prep", "npadvmod", "compound", "nmod", "appos", "amod", "poss", "acl")
        ):
            return head
        # "its deployment on November 2": a phrase on a noun dates that noun.
        if (
            head.pos_ == "NOUN"
            and head.lemma_.lower() not in rules.events.not_event_set
            and (
                (node.dep_ == "prep" and node.lower_ in ("on", "in", "at", "during"))
                or (node.dep_ == "npadvmod" and node is tok)
            )
        ):
            return head
        if node.dep_ not in WALK_DEPS and node.dep_ not in ("poss", "acl", "relcl"):
            return head if head.pos_ in ("VERB", "AUX", "NOUN") else None
        node = head
    return None


def _concurrent_participle(verb: Token) -> bool:
    """A present participle modifying a noun ("ships transiting the strait"), with no subject of its own.

    It names a state holding while the clause's event happens, not an event
    of its own: a date at its end ("foiled an attack on ships transiting the
    strait on Friday") dates what the clause is about. A past participle
    ("a ship built in 1990") keeps its date: that is its own event.
    """
    if verb.tag_ != "VBG":
        return False
    if verb.dep_ == "acl":
        return verb.head.pos_ in ("NOUN", "PROPN") and not any(c.dep_ in ("nsubj", "nsubjpass") for c in verb.children)
    # The same read as a gerund clause with the noun as its subject: "a raid on [ships crossing the sea] on Sunday"
    # ("credits the program for preventing bloodshed last night" has no subject: the gerund is the event).
    prep = verb.head
    return (
        verb.dep_ == "pcomp"
        and prep.dep_ == "prep"
        and prep.head.pos_ in ("NOUN", "PROPN")
        and any(c.dep_ == "nsubj" and c.pos_ in ("NOUN", "PROPN") for c in verb.children)
    )


def _compound_text(tok: Token) -> str:
    parts = [c.lower_ for c in tok.children if c.dep_ == "compound" and c.i < tok.i] + [tok.lower_]
    return " ".join(parts)


def is_reporting(pred: Token, rules: Rules) -> bool:
    """Does the predicate report a statement ("said", "told", "announced")?"""
    lemma = pred.lemma_.lower()
    if lemma in rules.lookups["event"]:
        return False  # "revealed his identity" is the event itself
    if lemma in FINDING_VERBS and not any(c.dep_ == "ccomp" for c in pred.children):
        return False  # "was found dead late on Tuesday": a finding, not a statement
    return lemma in REPORTING_VERBS or lemma in {"announce", "tell", "say", "quote"}


def speaks_of(pred: Token, rules: Rules) -> bool:
    """Is ``pred`` a verb of saying or judging ("said", "condemned", "described")?

    What it governs directly (a reported clause, "when the attack came, Ging
    said", an object "Ging condemned the attack") is what its subject speaks
    of: an event it reports does not take the speaker as a participant. A
    prepositional complement is not reported ("Felt insisted on remaining
    anonymous until ... his family revealed"): the caller walks on there.
    """
    if pred.pos_ not in ("VERB", "AUX"):
        return False
    if pred.lemma_.lower() in rules.events.speech_verb_set:
        return True
    # "insisted on remaining anonymous": a reporting verb that reports nothing (no clause, no object).
    return is_reporting(pred, rules) and any(c.dep_ in ("ccomp", "parataxis", "dobj", "xcomp") for c in pred.children)


class Participants:
    """Names a participant token stands for, with pronouns resolved (one per doc)."""

    def __init__(self, doc: Doc, mentions: list) -> None:
        self.doc = doc
        self.person_at: dict[int, object] = {}
        for m in mentions:
            for i in range(m.start, m.end):
                self.person_at[i] = m
        self.persons = sorted(mentions, key=lambda m: m.start)

    def person(self, tok: Token):
        return self.person_at.get(tok.i)

    def antecedent(self, tok: Token):
        """The person a he/she/his/her stands for.

        The subject of the main clause of this sentence (before the pronoun),
        else of the sentences before it, going back past sentences whose main
        subject is itself a pronoun; failing that, the person the article
        names most.
        """
        sents = list(self.doc.sents)
        k = next((i for i, s in enumerate(sents) if s.start <= tok.i < s.end), 0)
        for j in range(k, max(-1, k - 6), -1):
            sent = sents[j]
            root = sent.root
            subj = [c for c in root.children if c.dep_ in ("nsubj", "nsubjpass") and c.i < tok.i]
            if subj:
                m = self.person_at.get(subj[0].i)
                if m is not None and not m.recovered:
                    return m
                if subj[0].lower_ not in PRONOUNS:
                    break
        counts: dict[str, list] = {}
        for m in self.persons:
            if m.start < tok.i and not m.recovered:
                counts.setdefault(m.name.split()[-1], []).append(m)
        if not counts:
            return None
        best = max(counts.values(), key=len)
        return best[-1] if len(best) >= 2 else None

    def thing_antecedent(self, tok: Token) -> Span | None:
        """The nearest named non-person subject before an "it"/"its"."""
        doc = self.doc
        # Entities starting more than 120 tokens before the sentence stop the search.
        before = ents_between(doc, max(0, tok.sent.start - 121), tok.i)
        for ent in reversed([e for e in before if e.label_ in ("ORG", "PRODUCT", "FAC", "NORP", "WORK_OF_ART")]):
            if ent.start < tok.sent.start - 120:
                break
            if any(t.dep_ in ("nsubj", "nsubjpass") for t in ent):
                return ent
        return None


def _ent_in_sentence(tok: Token) -> Span | None:
    """The entity holding ``tok`` if it lies within ``tok``'s sentence (as ``sent.ents`` has it)."""
    ent = ent_at(tok)
    if ent is None:
        return None
    sent = tok.sent
    return ent if sent.start <= ent.start and ent.end <= sent.end else None


#: Participants read per event: conjoined ones per argument, and in all.
MAX_CONJOINED = 8
MAX_ARGS = 24


def _arg(tok: Token, parts: Participants, rules: Rules) -> tuple[str, list[int] | None, bool] | None:
    """(key, person span, named) for one participant token."""
    # "The head of France's DGSE, Nicolas Lerner, visited": the person in apposition.
    if tok.pos_ == "NOUN":
        for c in tok.children:
            if c.dep_ == "appos" and parts.person(c) is not None:
                tok = c
                break
    m = parts.person(tok)
    if m is not None:
        return m.name.lower(), [m.char_start, m.char_end], True
    low = tok.lower_
    if tok.pos_ == "PRON" or low in PRONOUNS:
        if low in ("he", "him", "his", "she", "her", "hers"):
            m = parts.antecedent(tok)
            if m is not None:
                return m.name.lower(), [m.char_start, m.char_end], True
            return None
        if low in ("it", "its"):
            ent = parts.thing_antecedent(tok)
            if ent is not None:
                return ent[-1].lemma_.lower(), None, True
        return None
    if low in ("who", "which", "that") and tok.head.dep_ == "relcl":
        return _arg(tok.head.head, parts, rules)
    if tok.ent_type_ and tok.ent_type_ not in ("DATE", "TIME", "CARDINAL", "ORDINAL", "QUANTITY", "MONEY", "PERCENT"):
        ent = _ent_in_sentence(tok)
        last = ent[-1] if ent is not None else tok
        while last.text in ("'s", "’s") and last.i > (ent.start if ent is not None else last.i):
            last = tok.doc[last.i - 1]
        # A place is where an event happens, not who takes part in it.
        return last.lower_, None, tok.ent_type_ not in ("GPE", "LOC", "FAC")
    if tok.pos_ == "PROPN":
        return tok.lower_, None, True
    if tok.pos_ in ("NOUN",):
        return _compound_text(tok) if _compound_text(tok) in rules.events.noun_set else tok.lemma_.lower(), None, False
    return None


def _arg_is_person(tok: Token, parts: Participants, rules: Rules) -> bool:
    got = _arg(tok, parts, rules)
    return got is not None and got[1] is not None


def event_of(tok: Token, parts: Participants, rules: Rules, pred: Token | None = None) -> Event | None:
    """The event the phrase at ``tok`` times or places, or None (statements, datelines).

    The predicate's class and participants are read once per predicate and
    document (a run-on sentence dates thousands of figures by one verb); only
    leaving out the phrase's own token depends on ``tok``.
    """
    pred = pred if pred is not None else predicate_of(tok, rules)
    if pred is None or is_reporting(pred, rules):
        return None
    cache = pred.doc.user_data.setdefault("checker_events", {})
    key = (id(parts), id(rules), pred.i)
    base = cache.get(key)
    if base is None:
        base = cache[key] = _event_base(pred, parts, rules)
    verb, future, resolved = base
    ev = Event(verb=verb, head=pred.i, future=future)
    seen: set[str] = set()
    for i, got in resolved:
        if got is None or got[0] in seen or i == tok.i:
            continue
        seen.add(got[0])
        ev.args.append(got[0])
        ev.arg_spans.append(list(got[1]) if got[1] is not None else None)
        ev.named.append(got[2])
    # Named participants first: they key the event.
    order = sorted(range(len(ev.args)), key=lambda i: (not ev.named[i], i))
    ev.args = [ev.args[i] for i in order]
    ev.arg_spans = [ev.arg_spans[i] for i in order]
    ev.named = [ev.named[i] for i in order]
    return ev


def _event_base(pred: Token, parts: Participants, rules: Rules) -> tuple[str, bool, list[tuple[int, Any]]]:
    """(event class, future, [(token index, participant)]) of a predicate, whatever phrase it dates."""
    classes = rules.lookups["event"]
    particles = rules.lookups["event_particle"]
    nouns = rules.events.noun_set
    lemma = pred.lemma_.lower()
    for c in children_with(pred, ("prt",)):
        if f"{lemma} {c.lower_}" in particles:
            lemma = particles[f"{lemma} {c.lower_}"]
    # "ended her modeling career": a verb and its object naming one event (retire).
    for c in children_with(pred, ("dobj",)) if pred.pos_ in ("VERB", "AUX") else []:
        if f"{lemma} {c.lemma_.lower()}" in particles:
            lemma = particles[f"{lemma} {c.lemma_.lower()}"]
    ev = Event(verb=classes.get(lemma, lemma), head=pred.i)
    args: list[Token] = []
    if pred.pos_ in ("VERB", "AUX"):
        ev.future = any(c.lower_ in ("will", "shall", "'ll") for c in children_with(pred, ("aux",)))
        for dep in ("nsubjpass", "nsubj", "dobj", "attr"):
            args.extend(children_with(pred, (dep,), MAX_ARGS))
        args.extend(p for c in children_with(pred, ("agent",)) for p in children_with(c, ("pobj",)))
        if pred.dep_ in ("acl", "relcl") and pred.head.pos_ in ("NOUN", "PROPN"):
            args.append(pred.head)
        # "the shootings happened": a light verb's event is its subject noun.
        if lemma in rules.events.light_verb_set:
            for a in args:
                noun = _compound_text(a) if a.pos_ == "NOUN" else ""
                if noun in nouns or a.lemma_.lower() in nouns:
                    ev.verb = classes.get(a.lemma_.lower(), a.lemma_.lower())
        # Conjoined subjects: "Barrot and Sybiha met".
        # A run-on list ("10, 12, 14, ... were counted") conjoins thousands: an
        # event's participants are its first few, so the work per date or place
        # stays bounded instead of growing with the list (issue 13: linear work).
        more = []
        for a in args:
            more.extend(children_with(a, ("conj",), MAX_CONJOINED))
        args.extend(more)
        del args[MAX_ARGS:]
    else:
        for c in children_with(pred, ("poss", "prep", "compound")):
            if c.dep_ == "poss":
                args.append(c)
            elif c.dep_ == "prep" and c.lower_ == "of":
                args.extend(p for p in c.children if p.dep_ == "pobj")
            elif c.dep_ == "compound" and c.pos_ == "PROPN":
                args.append(c)
        noun = _compound_text(pred)
        ev.verb = classes.get(pred.lemma_.lower(), classes.get(noun, noun))
    # An agentless event inherits the person its clause is about
    # ("Page succumbed to ... a heart attack suffered three weeks ago").
    if not any(_arg_is_person(a, parts, rules) for a in args):
        node = pred
        for _ in range(6):
            if node.head == node:
                break
            child, node = node, node.head
            if child.dep_ != "prep" and speaks_of(node, rules):
                break  # the speaker of a reported or judged event is not a participant
            subj = children_with(node, ("nsubj", "nsubjpass"))
            if subj and _arg_is_person(subj[0], parts, rules):
                args.append(subj[0])
                break
    return ev.verb, ev.future, [(a.i, _arg(a, parts, rules)) for a in args]


def mentions_of(doc: Doc, article, rules) -> list:
    """Person mentions of a doc, computed once and kept on the doc."""
    cache = doc.user_data.setdefault("checker", {})
    if "mentions" not in cache:
        from checker.extract.people import person_mentions

        cache["mentions"] = person_mentions(doc, article, rules)
    return cache["mentions"]
