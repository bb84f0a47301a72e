"""Person mentions and the titles articles give them.

Every PERSON entity becomes a "name" claim (the name as written, honorifics
and possessive endings peeled off). Titles are read where news puts them:
before the name ("French Foreign Minister Jean-Noel Barrot"), in apposition
("John Ging, director of operations in Gaza for UNRWA"; "Apple's senior vice
president ..., Philip Schiller,"), after "as" or a copula ("Felt was deputy
associate director of the FBI"), before "named" ("an amateur photographer
named Jerry Tibbs"), and as a description of someone the article names
elsewhere ("France's top diplomat"). Each title is normalized by
``extract.titles``. People are linked within and across articles later, by
``checker.resolve.people.link_people``; here the subject is the name as written.

The small model misses some mentions ("Bettie Page" tagged ORG, "Saucy
photos of Paige" tagged NORP): name-shaped entities and lone capitalized
words come out as candidate mentions, which the linker keeps only when they
name, or nearly spell, a person of the story.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from checker.extract.common import doc_text, ent_at, per_rules
from checker.extract.events import mentions_of
from checker.extract.titles import POSSESSIVE, Title, lexicon, norm_word, parse_title
from checker.models import Claim
from checker.names import NameJudge, fold
from checker.places import is_place_name

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

    from checker.models import Article
    from checker.rules import Rules

# Verbs that give someone an office: with an object, the office is the object's.
APPOINT_VERBS = {
    "name",
    "appoint",
    "nominate",
    "elect",
    "make",
    "promote",
    "choose",
    "pick",
    "tap",
    "hire",
    "designate",
    "install",
    "select",
    "reappoint",
    "confirm",
}
GLUED_RX = re.compile(r"^\S*?[)\]}>»”\"]+[-–—:]*(?=[A-Z])")
STOP_CLAUSE = {
    "who",
    "which",
    "that",
    "whose",
    "whom",
    "when",
    "where",
    "while",
    "because",
    "after",
    "before",
    "since",
    "as",
}
RECOVER_LABELS = {"", "NORP", "ORG", "PRODUCT", "WORK_OF_ART", "PERSON", "EVENT"}
#: Subject roles: a building does not act, so a name-shaped FAC entity as the
#: subject of a clause ("61-year-old Kathryn Gomes are ...") is read as a person.
ACTOR_DEPS = {"nsubj", "nsubjpass"}


@dataclass
class Mention:
    """One person mention: the cleaned name and where it stands."""

    start: int  # token index of the cleaned name
    end: int
    name: str
    sent: Span
    recovered: bool = False
    lead: int = 0  # characters of the first token before the name ("Network)-" of "Network)-Wladimir")

    @property
    def char_start(self) -> int:
        return self.sent.doc[self.start].idx + self.lead

    @property
    def char_end(self) -> int:
        last = self.sent.doc[self.end - 1]
        return last.idx + len(last.text)


def _clean(ent: Span, rules: Rules) -> tuple[int, int] | None:
    """Token range of the name inside a PERSON entity, or None if it is no name."""
    lex = lexicon(rules)
    s, e = ent.start, ent.end
    doc = ent.doc
    while e > s and (doc[e - 1].text in POSSESSIVE or doc[e - 1].is_punct):
        e -= 1
    # Honorifics, offices and roles the model put inside the name ("Lawyer Alexis Kougias",
    # "Doctor"): the title is read from before the name, the name is what follows.
    while s < e and (
        norm_word(doc[s].text) in lex.honorifics or norm_word(doc[s].text) in lex.canon or doc[s].is_punct
    ):
        s += 1
    # A title word among the first words with a full name after it ("Surgeon General
    # Regina Benjamin"); a two-word "Dean Smith" keeps its given name.
    lead = [k for k in range(s, min(s + 3, e)) if lex.is_title_word(norm_word(doc[k].text))]
    if lead and (e - lead[-1] - 1 >= 2 or e - lead[-1] - 1 >= 1 and doc[lead[-1]].pos_ != "PROPN"):
        s = lead[-1] + 1
    elif lead and lead[-1] == e - 1:
        return None
    if s >= e:
        return None
    toks = doc[s:e]
    if len(toks) > 6 or any(t.like_num or t.is_digit for t in toks):
        return None
    words = [t for t in toks if t.is_alpha or "." in t.text or "'" in t.text or "’" in t.text]
    if not words or not any(t.text[:1].isupper() for t in words):
        return None
    particles = set(rules.names.particles)
    if any(t.text[:1].islower() and t.lower_ not in particles for t in toks if t.is_alpha) or any(
        t.text in "()[]" for t in toks
    ):
        return None
    return s, e


def person_mentions(doc: Doc, article: Article, rules: Rules) -> list[Mention]:
    """Every checked person mention in the article, in text order.

    PERSON entities are mentions; name-shaped words the model tagged as
    something else come back as candidates (``recovered``), which the linker
    keeps only when they match a person named in the story.
    """
    out: list[Mention] = []
    taken: set[int] = set()
    for ent in doc.ents:
        if ent.label_ != "PERSON":
            continue
        rng = _clean(ent, rules)
        if rng is None:
            continue
        s, e = rng
        first, last = doc[s], doc[e - 1]
        if not article.is_checked(first.idx, last.idx + len(last.text)):
            continue
        name = doc_text(doc)[first.idx : last.idx + len(last.text)]
        # A token that swallowed the punctuation before the name ("(Sports Network)-Wladimir").
        glued = GLUED_RX.match(name)
        lead = glued.end() if glued else 0
        if not _whole_words(doc, first.idx + lead, last.idx + len(last.text)):
            continue
        out.append(Mention(s, e, name[lead:], ent.sent, lead=lead))
        taken.update(range(ent.start, ent.end))
    out.extend(_candidates(doc, article, rules, taken))
    out.sort(key=lambda m: m.start)
    return out


def _whole_words(doc: Doc, start: int, end: int) -> bool:
    """A name starts and ends on word boundaries: "Lucia" cut from "Luciano" is no name."""
    text = doc_text(doc)
    return not (start > 0 and text[start - 1].isalnum()) and not (end < len(text) and text[end].isalnum())


def _name_shaped(toks: list[Token], rules: Rules) -> bool:
    """Two to four capitalized words or initials, nothing else ("Hugh Heffner")."""
    if not 2 <= len(toks) <= 4:
        return False
    lex = lexicon(rules)
    for t in toks:
        w = norm_word(t.text)
        if w in lex.head_words or w in lex.honorifics:
            return False
        if not (t.is_title and (t.is_alpha or re.fullmatch(r"(?:[A-Z]\.)+", t.text) or "-" in t.text)):
            return False
    return True


def _personal_title(word: str, lex) -> bool:
    """Does ``word`` (normalized) only ever stand before a person: an office or an honorific?

    "the" is listed among the honorifics (for "the Rev."), but it stands before
    leagues and unions just as well, so it says nothing about a person.
    """
    return word != "the" and (lex.is_title_word(word) or word in lex.honorifics)


def _reads_as_org(name: str, ent: Span, doc: Doc, rules: Rules) -> bool:
    """Is a titled ORG name still an organisation ("Vivendi advisor Deutsche Bank")?

    It is when it starts with a place the gazetteer knows and no given name
    ("France Telecom", "Dundee United"; not "Anna", a town too) or the article
    names it again as an ORG with no personal title before it: people are
    seldom tagged ORG twice without their title.
    """
    lex = lexicon(rules)
    first = fold(name.split()[0])
    # One judge per rules object: building one copies the whole nickname table.
    judge = per_rules(rules, "name_judge", lambda: NameJudge(rules))
    if is_place_name(first) and not judge.known_given(first):
        return True
    for other in doc.ents:
        if other.label_ != "ORG" or other.start == ent.start or name not in other.text:
            continue
        if other.start == 0 or not _personal_title(norm_word(doc[other.start - 1].text), lex):
            return True
    return False


def _candidates(doc: Doc, article: Article, rules: Rules, taken: set[int]) -> list[Mention]:
    """Name-shaped entities and capitalized words the model did not tag PERSON."""
    out: list[Mention] = []
    lex = lexicon(rules)
    places = set(rules.lookups["place"])
    for ent in doc.ents:
        facility_actor = ent.label_ == "FAC" and ent.root.dep_ in ACTOR_DEPS
        if (ent.label_ not in RECOVER_LABELS and not facility_actor) or ent.label_ == "PERSON" or ent.start in taken:
            continue
        toks = [t for t in ent if t.text not in POSSESSIVE]
        # An entity run across a line break is two things ("Showdown\nW. Mark Felt Sr."):
        # the name is the part after the last break; a final dot is punctuation.
        brk = max((k for k, t in enumerate(toks) if "\n" in t.text), default=-1)
        toks = toks[brk + 1 :]
        while toks and toks[-1].is_punct:
            toks = toks[:-1]
        # Offices the model put in front of the name ("Surgeon General Regina Benjamin").
        titled = False
        while len(toks) > 2 and (
            lex.is_title_word(norm_word(toks[0].text))
            or norm_word(toks[0].text) in lex.honorifics
            or norm_word(toks[0].text) in lex.canon
        ):
            titled = titled or _personal_title(norm_word(toks[0].text), lex)
            toks = toks[1:]
        if len(toks) <= 1:
            continue
        if toks[0].i > 0 and _personal_title(norm_word(doc[toks[0].i - 1].text), lex):
            titled = True  # "writer Armando Ianucci" tagged ORG
        a, b = toks[0].idx, toks[-1].idx + len(toks[-1].text)
        if _name_shaped(toks, rules) and article.is_checked(a, b) and _whole_words(doc, a, b):
            name = doc_text(doc)[toks[0].idx : toks[-1].idx + len(toks[-1].text)]
            # An organisation does not carry a personal title: a titled ORG
            # name is a person in its own right, not a candidate to confirm.
            person = titled and ent.label_ == "ORG" and not _reads_as_org(name, ent, doc, rules)
            out.append(Mention(toks[0].i, toks[-1].i + 1, name, ent.sent, recovered=not person))
            taken.update(range(ent.start, ent.end))
    for t in doc:
        if t.i in taken or t.pos_ != "PROPN" or not t.is_title or not t.is_alpha or len(t.text) < 3:
            continue
        if t.ent_type_ not in RECOVER_LABELS or t.lower_ in places or lex.is_title_word(norm_word(t.text)):
            continue
        ent = ent_at(t) if t.ent_type_ else None
        if ent is not None and not (t.sent.start <= ent.start and ent.end <= t.sent.end):
            ent = None  # as sent.ents: an entity across a sentence break is none of the sentence's
        if ent is not None and len([x for x in ent if x.text not in POSSESSIVE]) > 1:
            continue
        # Part of a longer capitalized run ("Dow Jones"): not a lone surname.
        if (t.i > 0 and doc[t.i - 1].is_title and doc[t.i - 1].pos_ == "PROPN") or (
            t.i + 1 < len(doc) and doc[t.i + 1].is_title and doc[t.i + 1].pos_ == "PROPN"
        ):
            continue
        if article.is_checked(t.idx, t.idx + len(t.text)):
            out.append(Mention(t.i, t.i + 1, t.text, t.sent, recovered=not _given_a_name(t)))
    return out


#: Verbs that give a name: the proper noun they give is a name whatever the model tagged.
NAMING_VERBS = {"name", "call", "dub", "christen", "rename", "nickname"}


def _given_a_name(t: Token) -> bool:
    """Is ``t`` the name a naming verb gives ("the dhow is named the Salahaddin", "a boat called Mira")?

    Such a word is a name by the sentence's own say, so it is kept as a name
    even when no person of the story matches it (a ship, a horse, a pet). The
    object of an active "named" is left alone: "Obama named Smith" appoints.
    """
    head = t.head
    if head.lemma_.lower() not in NAMING_VERBS or t.pos_ != "PROPN":
        return False
    return t.dep_ in ("oprd", "attr") or (t.dep_ in ("dobj", "npadvmod") and head.dep_ == "acl")


# --- titles -----------------------------------------------------------------


def _stop_left(t: Token, lex) -> bool:
    """Does ``t`` end a title phrase when scanning leftwards from a name?"""
    w = norm_word(t.text)
    if t.text in POSSESSIVE or t.tag_ == "POS":
        return False
    if t.text in ("-", "–", "&"):
        return False
    if t.is_punct or t.is_space or "(" in t.text:
        return True
    if t.pos_ in ("DET", "PRON") or w in ("his", "her", "their", "its"):
        return True
    if t.pos_ == "ADP" and t.lower_ not in ("of", "for"):
        return True
    if t.pos_ in ("VERB", "AUX") and not (
        lex.is_title_word(w) or w in lex.modifiers or w in lex.descriptors or w in lex.former
    ):
        return True
    if t.pos_ == "CCONJ" and t.lower_ not in ("and", "&"):
        return True
    if t.lower_ in ("and", "&") and not (t.i > 0 and lex.is_title_word(norm_word(t.doc[t.i - 1].text))):
        return True
    return t.pos_ in ("SCONJ", "NUM", "ADV") and w not in lex.descriptors and w not in lex.former


def _left_phrase(doc: Doc, end: int, sent: Span, rules: Rules) -> list[Token]:
    """Tokens of the title-like phrase ending right before token ``end``."""
    lex = lexicon(rules)
    toks: list[Token] = []
    i = end - 1
    while i >= sent.start and len(toks) < 14:
        t = doc[i]
        if _stop_left(t, lex) or (
            t.ent_type_ == "PERSON" and t.text not in POSSESSIVE and not lex.is_title_word(norm_word(t.text))
        ):
            break
        # "vice president of worldwide marketing": an "of" belongs to the title
        # only with a title word before it ("in the place of CEO Steve Jobs").
        if t.lower_ in ("of", "for") and not (i > sent.start and lex.is_title_word(norm_word(doc[i - 1].text))):
            break
        toks.insert(0, t)
        i -= 1
    while toks and (toks[0].lower_ in ("of", "for", "and", "&") or toks[0].text in POSSESSIVE):
        toks = toks[1:]
    # "head of Yukos": a name right after a preposition is no title holder.
    if toks and toks[-1].lower_ in ("of", "for", "and", "&"):
        return []
    return toks


def _title_ends_phrase(toks: list[Token], rules: Rules) -> bool:
    """A phrase before a name is a title only if its head is a title word."""
    lex = lexicon(rules)
    if not toks:
        return False
    if lex.is_title_word(norm_word(toks[-1].text)):
        return True
    # "vice president of worldwide marketing Phil Schiller": head before "of"/"for".
    for k, t in enumerate(toks):
        if t.lower_ in ("of", "for") and k > 0 and lex.is_title_word(norm_word(toks[k - 1].text)):
            return True
    return False


def _right_phrase(doc: Doc, start: int, sent: Span, rules: Rules) -> list[Token]:
    """Tokens of an appositive phrase starting at token ``start`` (after a comma).

    An appositive closes with punctuation, a relative word ("who", "when")
    or the sentence end. One that runs into a verb is the subject of the
    next clause ("Rice, the prime minister said"), and one that runs into a
    name is the next item of a list ("Willie Walsh, chief financial officer
    Brian Dunne"): neither is a title of the name before the comma.
    """
    lex = lexicon(rules)
    toks: list[Token] = []
    i = start
    while i < sent.end and len(toks) < 16:
        t = doc[i]
        w = norm_word(t.text)
        if t.text in (",", ";", ":", "(", ")", '"', "“", "”", "--", "—") or t.is_space:
            break
        if t.text == "." and not toks:
            break
        if (
            t.lower_ in STOP_CLAUSE
            and t.pos_ in ("PRON", "SCONJ", "ADV", "DET")
            or t.tag_ in ("WDT", "WP", "WP$", "WRB")
        ):
            break
        if t.pos_ in ("VERB", "AUX") and not (
            lex.is_title_word(w) or w in lex.modifiers or w in lex.descriptors or w in lex.former
        ):
            return []
        if t.ent_type_ == "PERSON" and toks and not lex.is_title_word(w):
            # "Walsh, chief financial officer Brian Dunne": the next item of a list.
            if lex.is_title_word(norm_word(toks[-1].text)):
                return []
            break
        toks.append(t)
        i += 1
    # "Hamas, the UN's director of operations in Gaza, John Ging, was": the phrase
    # introduces the name after it, not the one before.
    if i + 1 < sent.end and doc[i].text == "," and doc[i + 1].ent_type_ == "PERSON" and doc[i + 1].ent_iob_ == "B":
        return []
    return toks


def _main_head_is_title(toks: list[Token], rules: Rules) -> bool:
    """The head of an appositive (the word before its first preposition) is a title word."""
    lex = lexicon(rules)
    main = []
    for t in toks:
        if t.pos_ == "ADP" and main:
            break
        main.append(t)
    while main and (main[-1].is_punct or main[-1].pos_ in ("CCONJ",)):
        main = main[:-1]
    return bool(main) and lex.is_title_word(norm_word(main[-1].text))


def _np_tokens(head: Token) -> list[Token]:
    """The noun phrase of ``head`` without clauses hanging off it.

    A clause is cut from its first word, not its verb: in "the 12th actor to
    play the Doctor" the "to" before "play" belongs to the clause, and left in
    it would end the title phrase on a word no office ends with.
    """
    stop = min(
        (
            c.left_edge.i if c.dep_ != "punct" else c.i
            for c in head.children
            if c.i > head.i
            and (c.dep_ in ("relcl", "acl", "advcl") or (c.dep_ == "punct" and c.text not in ("-", "–")))
        ),
        default=head.right_edge.i + 1,
    )
    out = [t for t in head.subtree if t.i < stop]
    skip = set()
    for t in out:
        # An appositive after a comma is another phrase; "vice-chairman" split
        # by the tokenizer into an appositive is not.
        after_comma = t.left_edge.i > 0 and t.doc[t.left_edge.i - 1].text == ","
        if (t.dep_ in ("relcl", "acl") or (t.dep_ == "appos" and after_comma)) and t.head.i in {x.i for x in out}:
            skip.update(x.i for x in t.subtree)
    return [t for t in out if t.i not in skip]


def titles_for(m: Mention, doc: Doc, rules: Rules) -> list[tuple[Title, str]]:
    """Titles given to mention ``m`` by the words around it, with the pattern name."""
    out: list[tuple[Title, str]] = []
    sent = m.sent
    # Before the name, skipping honorifics ("Mr", "Dr.").
    lex = lexicon(rules)
    k = m.start
    while k > sent.start and norm_word(doc[k - 1].text) in lex.honorifics and doc[k - 1].lower_ != "the":
        k -= 1
    if k > sent.start and doc[k - 1].text not in (",",):
        left = _left_phrase(doc, k, sent, rules)
        if _title_ends_phrase(left, rules):
            t = parse_title(left, rules)
            if t is not None:
                out.append((t, "before"))
    # Reverse apposition: "Apple's senior vice president ..., Philip Schiller, said".
    if k > sent.start + 1 and doc[k - 1].text == ",":
        nxt = doc[m.end] if m.end < len(doc) else None
        closes = nxt is None or nxt.text in (",", ".", ";", ")", "--", "—") or nxt.is_space
        left = _left_phrase(doc, k - 1, sent, rules)
        starts_np = bool(left) and (
            left[0].i == sent.start
            or doc[left[0].i - 1].pos_ in ("DET", "ADP", "PRON", "PUNCT", "CCONJ")
            or doc[left[0].i - 1].is_punct
        )
        if closes and starts_np and _main_head_is_title(left, rules):
            t = parse_title(left, rules)
            if t is not None:
                out.append((t, "apposition"))
    # The parse's own apposition: "the United Nations' director of operations in Gaza,
    # John Ging," (the name hangs off the title's noun phrase, perhaps off its "of" object).
    if not any(p == "apposition" for _, p in out):
        t = _appos_title(m, doc, rules)
        if t is not None:
            out.append((t, "apposition"))
    # Apposition after the name: "John Ging, director of operations in Gaza".
    after = m.end + 1 if m.end + 1 < sent.end and doc[m.end].text == "." and doc[m.end + 1].text == "," else m.end
    if after + 1 < sent.end and doc[after].text == ",":
        right = _right_phrase(doc, after + 1, sent, rules)
        if right and _main_head_is_title(right, rules):
            t = parse_title(right, rules)
            if t is not None:
                out.append((t, "apposition"))
    out.extend(_clause_titles(m, doc, rules))
    return out


def _names_other(head: Token, m: Mention) -> bool:
    """The title's noun phrase names another person ("named Regina Benjamin surgeon general")."""
    return any(t.ent_type_ == "PERSON" and not m.start <= t.i < m.end for t in _np_tokens(head))


def _appos_title(m: Mention, doc: Doc, rules: Rules) -> Title | None:
    """The title noun phrase a name stands in apposition to, before the name.

    spaCy hangs "John Ging" off "director" in "the UN's director of operations
    in Gaza, John Ging,", and "Philip Schiller" off "Marketing" in "Apple's
    senior vice president of Worldwide Product Marketing, Philip Schiller,":
    the walk goes up through "of" objects to the title word, so the title is
    bound to the noun phrase the parse gives it.
    """
    lex = lexicon(rules)
    root = next((t for t in doc[m.start : m.end] if not m.start <= t.head.i < m.end), None)
    if root is None or root.dep_ != "appos" or doc[m.start - 1].text != ",":
        return None
    head = root.head
    for _ in range(4):
        if lex.is_title_word(norm_word(head.text)) and head.pos_ in ("NOUN", "PROPN"):
            break
        if head.dep_ not in ("pobj", "prep", "compound", "conj") or head.head == head:
            return None
        head = head.head
    else:
        return None
    if head.i >= m.start or head.ent_type_ == "PERSON":
        return None
    toks = [t for t in _np_tokens(head) if t.i < m.start - 1]
    # A line break or a sentence end the segmenter missed ("... MacBook Pro.\nApple's ...").
    cut = max((k for k, t in enumerate(toks) if "\n" in t.text or t.text in (".", "!", "?", ";")), default=-1)
    toks = toks[cut + 1 :]
    # The phrase must run up to the comma before the name, with nothing in between.
    if not toks or toks[-1].i != m.start - 2:
        return None
    return parse_title(toks, rules)


#: Copular verbs: their attribute is what the subject is ("X will be the 12th actor").
COPULAS = {"be", "become", "remain"}
#: Verbs whose subject is the subject of the copula in their "to" clause ("is set to
#: be", "is expected to become"); wishes ("wants to be") are left out, they state no office.
RAISING_VERBS = {"expect", "set", "due", "poise", "tip", "slate", "likely", "certain", "go", "seem", "appear", "tipped"}


def _shared_subject_verbs(verb: Token) -> list[Token]:
    """Verbs that share ``verb``'s subject: "He joined the series, becoming the 11th Doctor".

    A participle or a conjoined verb with no subject of its own ("becoming",
    "and was named") has the main verb's subject; one with its own subject
    is another clause.
    """
    out = []
    for c in verb.children:
        if c.dep_ in ("advcl", "conj") and c.pos_ in ("VERB", "AUX"):
            if not any(g.dep_ in ("nsubj", "nsubjpass", "expl", "mark") for g in c.children):
                out.append(c)
        # "is expected to become", "is set to be": a raising verb's copula states the
        # subject's coming office as plainly as "will be" does.
        if c.dep_ == "xcomp" and c.lemma_.lower() in COPULAS and verb.lemma_.lower() in RAISING_VERBS:
            out.append(c)
    return out


def _clause_titles(m: Mention, doc: Doc, rules: Rules) -> list[tuple[Title, str]]:
    """Titles from the clause: copula ("X was deputy director"), "as", "named"."""
    out: list[tuple[Title, str]] = []
    lex = lexicon(rules)
    root = max(doc[m.start : m.end], key=lambda t: 0 if t.head.i in range(m.start, m.end) else 1)
    subj = root
    # "Palin, who was also the Republican candidate": the relative pronoun's clause.
    verbs: list[Token] = []
    if root.dep_ in ("nsubj", "nsubjpass"):
        verbs.append(root.head)
        verbs.extend(_shared_subject_verbs(root.head))
    for c in root.children:
        if c.dep_ == "relcl":
            if any(g.dep_ in ("nsubj", "nsubjpass") and g.tag_ in ("WP", "WDT") for g in c.children):
                verbs.append(c)
                verbs.extend(_shared_subject_verbs(c))
    for verb in verbs:
        lemma = verb.lemma_.lower()
        # "Obama named Regina Benjamin surgeon general": an active appointment verb's
        # title belongs to its object, never to the one who appoints.
        # So does one who appoints through a relative clause or a shared subject
        # ("Obama, who named Benjamin surgeon general,"): any active use with an object.
        active = not any(c.dep_ in ("auxpass", "nsubjpass") for c in verb.children)
        if (
            lemma in APPOINT_VERBS
            and active
            and root.dep_ != "nsubjpass"
            and any(c.dep_ in ("dobj", "obj") for c in verb.children)
        ):
            continue
        for c in verb.children:
            if (
                c.dep_ in ("attr", "oprd")
                and lemma in ("be", "become", "remain", "serve", "name", "appoint", "elect", "make", "promote")
                and c.pos_ in ("NOUN", "PROPN", "ADJ")
            ):
                if lex.is_title_word(norm_word(c.text)) and not _names_other(c, m):
                    t = parse_title(_np_tokens(c), rules)
                    if t is not None:
                        out.append((t, "change" if lemma in lex.change_verbs else "copula"))
            if c.dep_ == "prep" and c.lower_ == "as":
                for o in c.children:
                    if o.dep_ == "pobj" and lex.is_title_word(norm_word(o.text)):
                        t = parse_title(_np_tokens(o), rules)
                        if t is not None:
                            # "stepped down as director": an office that has ended.
                            t.former = t.former or lemma in lex.leave_verbs
                            out.append((t, "as"))
        # "named acting director" as an xcomp/oprd of a passive change verb.
        if lemma in lex.change_verbs:
            for c in verb.children:
                if (
                    c.dep_ in ("xcomp", "ccomp", "dobj")
                    and c.pos_ in ("NOUN", "PROPN")
                    and lex.is_title_word(norm_word(c.text))
                    and c.i not in range(m.start, m.end)
                    and not _names_other(c, m)
                ):
                    t = parse_title(_np_tokens(c), rules)
                    if t is not None:
                        out.append((t, "change"))
    # "Obama nominated Regina Benjamin as surgeon general", "appointed him chief of staff".
    if root.dep_ in ("dobj", "obj") and root.head.lemma_.lower() in APPOINT_VERBS:
        verb = root.head
        for c in verb.children:
            cands = (
                [o for o in c.children if o.dep_ == "pobj"]
                if c.dep_ == "prep" and c.lower_ == "as"
                else [c]
                if c.dep_ in ("oprd", "xcomp", "attr")
                else []
            )
            for o in cands:
                if o.pos_ in ("NOUN", "PROPN") and lex.is_title_word(norm_word(o.text)) and not m.start <= o.i < m.end:
                    t = parse_title(_np_tokens(o), rules)
                    if t is not None:
                        out.append((t, "change"))
    # "An amateur photographer named Jerry Tibbs".
    if (
        subj.dep_ in ("oprd", "dobj", "attr", "npadvmod")
        and subj.head.lemma_.lower() in ("name", "call")
        and subj.head.dep_ == "acl"
    ):
        noun = subj.head.head
        if lex.is_title_word(norm_word(noun.text)):
            t = parse_title([x for x in _np_tokens(noun) if x.i < subj.head.i], rules)
            if t is not None:
                out.append((t, "named"))
    return out


def _after_det(doc: Doc, m: Mention) -> bool:
    """A name used as a common noun ("the 22-year-old Scot", "the Welsh region"),
    or standing in a comma list of surnames (a team sheet)."""
    tok = doc[m.end - 1]
    if any(c.dep_ == "det" for c in tok.children) or (m.start > 0 and doc[m.start - 1].pos_ == "DET"):
        return True
    before = doc[m.start - 1].text if m.start > 0 else ""
    after = doc[m.end].text if m.end < len(doc) else ""
    line_start = m.start == 0 or doc[m.start - 1].is_space or "\n" in doc[m.start - 1].text
    if line_start:
        return after in (",", ";")
    return before in (",", ";") and (after in (",", ";", ".") or m.end >= len(doc) or doc[m.end].is_space)


# Kinship nouns: a name introduced by one ("his son, Mark Smith") names a relative of
# someone else in the story, who may share the surname but is another person.
KINSHIP = {
    "son",
    "daughter",
    "wife",
    "husband",
    "father",
    "mother",
    "brother",
    "sister",
    "grandson",
    "granddaughter",
    "grandfather",
    "grandmother",
    "nephew",
    "niece",
    "uncle",
    "aunt",
    "cousin",
    "stepson",
    "stepdaughter",
    "stepfather",
    "stepmother",
    "widow",
    "widower",
    "child",
    "sibling",
    "parent",
    "fiancee",
    "fiance",
    "twin",
}


def _kinship(m: Mention, doc: Doc) -> str | None:
    """The kinship noun a name is introduced by, before it or in apposition ("Mark Smith, her son")."""
    k = m.start - 1
    while k >= m.sent.start and doc[k].text in (",", "-", "–"):
        k -= 1
    if k >= m.sent.start and doc[k].lemma_.lower() in KINSHIP:
        return doc[k].lemma_.lower()
    root = next((t for t in doc[m.start : m.end] if not m.start <= t.head.i < m.end), None)
    if root is None:
        return None
    if root.dep_ == "appos" and root.head.lemma_.lower() in KINSHIP:
        return root.head.lemma_.lower()
    for c in root.children:
        if c.dep_ == "appos" and c.lemma_.lower() in KINSHIP and c.i >= m.end:
            return c.lemma_.lower()
    return None


def _key(name: str) -> str:
    """The person key before linking: the name as written, folded ("jean-noel barrot")."""
    return fold(name)


def extract_people(doc: Doc, article: Article, rules: Rules) -> list[Claim]:
    """Name and title claims for every person mention in the article."""
    mentions = mentions_of(doc, article, rules)
    claims: list[Claim] = []
    held: list[tuple[Mention, Title]] = []
    for m in mentions:
        sent = m.sent
        extra = {"candidate": True, "det": _after_det(doc, m)} if m.recovered else {"det": _after_det(doc, m)}
        kin = _kinship(m, doc)
        if kin:
            extra["kin"] = kin
        claims.append(
            Claim.in_sentence(
                article, sent, m.char_start, m.char_end, m.name, "name", _key(m.name), m.name, extra=extra
            )
        )
        found = titles_for(m, doc, rules)
        changed = any(p == "change" for _, p in found)
        seen: set[tuple[int, int]] = set()
        for t, pattern in found:
            if (t.start, t.end) in seen or not article.is_checked(t.start, t.end):
                continue
            seen.add((t.start, t.end))
            claims.append(_title_claim(t, pattern, m, article, rules, transition=changed and pattern != "change"))
            if m.recovered:
                claims[-1].extra["candidate"] = True
            else:
                held.append((m, t))
    used = {(t.start, t.end) for _, t in held} | {(c.start, c.end) for c in claims if c.kind == "title"}
    for pm, ante in _pronoun_holders(doc, mentions, article):
        found = _clause_titles(pm, doc, rules)
        changed = any(p == "change" for _, p in found)
        for t, pattern in found:
            if (t.start, t.end) in used or not article.is_checked(t.start, t.end):
                continue
            used.add((t.start, t.end))
            c = _title_claim(t, pattern, ante, article, rules, transition=changed and pattern != "change", sent=pm.sent)
            c.extra["holder"] = "pronoun"
            if ante.recovered:
                c.extra["candidate"] = True  # dropped with its person when the linker drops the name
            claims.append(c)
            held.append((ante, t))
    claims.extend(_unnamed_titles(doc, article, rules, mentions, used))
    claims.extend(_descriptions(doc, article, rules, held))
    return claims


#: Pronouns that stand for the last named person ("He joined the series in 2010").
HOLDER_PRONOUNS = {"he", "she"}
#: How many sentences back a pronoun reaches for its person.
PRONOUN_REACH = 2


def _in_quote(t: Token) -> bool:
    """Inside quotation marks in its sentence: a quoted "he" is the speaker's, not the article's."""
    before = t.doc[t.sent.start : t.i].text
    return sum(before.count(q) for q in ('"', "“", "”")) % 2 == 1


def _pronoun_holders(doc: Doc, mentions: list[Mention], article: Article) -> list[tuple[Mention, Mention]]:
    """Subject pronouns as mentions of the last named person, with that person's mention.

    "It was announced Smith would leave. He joined the series, becoming the 11th
    Doctor, in 2010": the title in a "he"/"she" clause is the last named
    person's when that person was named at most ``PRONOUN_REACH`` sentences
    before and the pronoun is the article's own words, not a quote.
    """
    if not mentions:
        return []
    sent_idx = {s.start: k for k, s in enumerate(doc.sents)}
    out: list[tuple[Mention, Mention]] = []
    for t in doc:
        if t.lower_ not in HOLDER_PRONOUNS or t.dep_ not in ("nsubj", "nsubjpass"):
            continue
        if not article.is_checked(t.idx, t.idx + len(t.text)) or _in_quote(t):
            continue
        before = [m for m in mentions if m.end <= t.i]
        if not before:
            continue
        ante = before[-1]
        if sent_idx.get(t.sent.start, 0) - sent_idx.get(ante.sent.start, 0) > PRONOUN_REACH:
            continue
        out.append((Mention(t.i, t.i + 1, ante.name, t.sent), ante))
    return out


def _unnamed_titles(
    doc: Doc, article: Article, rules: Rules, mentions: list[Mention], used: set[tuple[int, int]]
) -> list[Claim]:
    """Titles whose holder the article does not name ("An assistant delivered the news", "my agent").

    A subject headed by a title word, or a relational noun with a possessor
    ("his lawyer"), with no name beside it, is a title claim of subject
    ``unnamed <office>``; so is a title its clause gives ("The star will be the
    12th actor to play the Doctor"). Each claim's subject is its own value, so
    unnamed holders are compared only with the same office in the story and
    never make a conflict of two offices (two unnamed people may be two people).
    """
    lex = lexicon(rules)
    in_name = {i for m in mentions for i in range(m.start, m.end)}
    out: list[Claim] = []

    def add(t: Title, pattern: str, sent: Span, of: str | None) -> None:
        if (
            (t.start, t.end) in used
            or any(s < t.end and t.start < e for s, e in used)
            or not article.is_checked(t.start, t.end)
        ):
            return
        used.add((t.start, t.end))
        subject = f"unnamed {t.value}"
        out.append(
            Claim.in_sentence(
                article,
                sent,
                t.start,
                t.end,
                t.surface,
                "title",
                subject,
                t.value,
                display=t.surface,
                scope={"org": ", ".join(t.orgs)} if t.orgs else {},
                extra={
                    **_title_fields(t),
                    "person": None,
                    "unnamed": True,
                    "of": of,
                    "pattern": pattern,
                    "transition": False,
                },
            )
        )

    for tok in doc:
        if tok.pos_ != "NOUN" or tok.i in in_name or tok.dep_ in ("compound", "appos"):
            continue
        w = norm_word(tok.text)
        if not lex.is_title_word(w):
            continue
        poss = next((c for c in tok.children if c.dep_ == "poss"), None)
        relational = poss is not None and (w in lex.relational or tok.lemma_.lower() in lex.relational)
        subject = tok.dep_ in ("nsubj", "nsubjpass")
        if not (subject or relational):
            continue
        np = _np_tokens(tok)
        # A name attached to the title word is its holder ("the director, Mueller"); a name
        # elsewhere in the phrase ("the Glasgow-born star", "Obama's lawyer") is not.
        if any(
            c.dep_ in ("appos", "compound", "flat") and (c.ent_type_ == "PERSON" or c.i in in_name)
            for c in tok.children
        ):
            continue
        t = parse_title(np, rules)
        if t is None:
            continue
        of = " ".join(x.text for x in poss.subtree) if poss is not None else None
        add(t, "unnamed", tok.sent, of)
        if subject:
            for ct, pattern in _clause_titles(Mention(tok.i, tok.i + 1, f"unnamed {t.value}", tok.sent), doc, rules):
                add(ct, pattern, tok.sent, None)
    return out


def _title_fields(t: Title) -> dict:
    """The title's parts as the claim carries them (fields are only ever added)."""
    return {
        "offices": [[o.name, o.category] for o in t.offices],
        "orgs": t.orgs,
        "unit": t.unit,
        "former": t.former,
        "branch": t.branch,
        "ordinal": t.ordinal,
    }


def _title_claim(
    t: Title,
    pattern: str,
    m: Mention,
    article: Article,
    rules: Rules,
    transition: bool = False,
    sent: Span | None = None,
) -> Claim:
    sent = sent if sent is not None else m.sent
    return Claim.in_sentence(
        article,
        sent,
        t.start,
        t.end,
        t.surface,
        "title",
        _key(m.name),
        t.value,
        display=t.surface,
        scope={"org": ", ".join(t.orgs)} if t.orgs else {},
        extra={
            "person": m.name,
            "person_start": m.char_start,
            "person_end": m.char_end,
            **_title_fields(t),
            "transition": transition,
            "pattern": pattern,
        },
    )


def _descriptions(doc: Doc, article: Article, rules: Rules, held: list[tuple[Mention, Title]]) -> list[Claim]:
    """Titles used for a person the article names elsewhere ("France's top diplomat").

    Linked only when exactly one person in the article holds that office in
    that body, so a description can add support but never invent a person.
    """
    out: list[Claim] = []
    if not any(h.offices and h.orgs for _, h in held):
        return out  # no office held in a named body: no description can link
    lex = lexicon(rules)
    used = {(t.start, t.end) for _, t in held}
    for chunk in doc.noun_chunks:
        root = chunk.root
        if not lex.is_title_word(norm_word(root.text)) or any(t.ent_type_ == "PERSON" for t in chunk):
            continue
        if any(s < chunk.end_char and chunk.start_char < e for s, e in used):
            continue
        if not article.is_checked(chunk.start_char, chunk.end_char):
            continue
        t = parse_title(list(chunk), rules)
        if t is None or t.category != "office" or not t.orgs or t.former:
            continue
        names = {o.name for o in t.offices}
        holders = {
            _key(m.name): m for m, h in held if names & {o.name for o in h.offices} and set(t.orgs) & set(h.orgs)
        }
        if len(holders) != 1:
            continue
        m = next(iter(holders.values()))
        # The description stands for the person: the person fields point at the name.
        c = _title_claim(t, "description", m, article, rules)
        c.sentence_start, c.sentence_end = chunk.sent.start_char, chunk.sent.end_char
        out.append(c)
    return out
