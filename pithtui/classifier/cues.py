"""Cue phrases: words and phrases that signal how a sentence uses what it cites.

Each phrase (lower-case words, as :func:`pithtui.classifier.features.features` reads them)
belongs to one or more groups. In training, a sentence gets the feature of a group (``+contrast``,
``+uses``, …) for each phrase of it that it holds, so that the model can lean on a cue it saw
rarely through the group's shared weight. Being linear, the model then scores a group exactly as
it would score each of its phrases carrying the group's weights, so the weights file folds every
group into its phrases and inference never computes groups (see
:mod:`pithtui.classifier.linear`). Phrases of three words or more are also
features of their own (the other n-grams stop at two words).
"""

from __future__ import annotations

from collections.abc import Iterable

_GROUPS: dict[str, str] = {
    "contrast": """
        however | although | though | but | unlike | whereas | while | yet | nevertheless | nonetheless
        in contrast | in contrast to | contrary to | on the other hand | instead | rather than
        fails to | failed to | fail to | does not | do not | did not | is not | are not | cannot | can not
        unable to | not able | not clear | unclear | limited | limitation | limitations | limits
        problem | problems | problematic | drawback | drawbacks | shortcoming | shortcomings | weakness
        suffer | suffers | suffered | lack | lacks | lacking | difficult | difficulty | expensive | costly
        outperform | outperforms | outperformed | outperforming | better than | superior to | improves on
        inferior | worse | poor | poorly | inconsistent with | contradict | contradicts | disagree | disagrees
        only | ignore | ignores | neglect | neglects | questionable | insufficient | inadequate | restrictive
        error | errors | noisy | sparse | sparsity | too | not suitable | does not scale | expensive to
    """,
    "support": """
        consistent with | in line with | in agreement with | agree with | agrees with | agreement
        confirm | confirms | confirmed | confirming | support | supports | supported | corroborate
        successfully | success | successful | state of the art | state-of-the-art | following | follow
        effective | effectively | efficient | robust | accurate | accurately | popular | widely used
        well known | good | best | improve | improves | improved | promising | powerful | high performance
        similar to | useful | important | significant | elegant | attractive | encouraging | excellent
        competitive | reliable | proven | shown to | demonstrated | proved | inspired by | motivated by
    """,
    "uses": """
        we use | we used | we follow | we adopt | we apply | we employ | we utilize | we utilise | we take
        using the | using | use | used | adopt | adopted | employ | employed | apply | applied | utilize
        was used | were used | is used | are used | implementation | implemented | toolkit | tool | tools
        software | package | dataset | data set | corpus | obtained from | as described | described previously
        described in | according to | following | as in | trained | parser | tagger | algorithm | method
    """,
    "extends": """
        extend | extends | extended | extending | extension | based on | build on | builds on | built on
        building on | inspired by | modify | modified | modification | adapt | adapted | adapting
        generalize | generalise | generalizes | improve upon | variant | enhanced | augment | augmented
        similar approach | same approach | our previous | our earlier | in our previous
    """,
    "future": """
        future work | future | in the future | could be | will | would be | plan to | we plan | we intend
        would be interesting | remains to | further research | further work | left for | next step
        promising direction | may be | might be | worth | open question
    """,
    "compares": """
        compared to | compared with | comparison | compare | comparable | similar to | than | consistent with
        in line with | in agreement with | outperform | outperforms | results | result | differ | differs
        different from | contrast | unlike | as reported | previous studies | previously reported | agree
        agrees | same as | higher than | lower than | similar | similarly | also found | also reported
    """,
    "motivation": """
        motivated by | motivate | motivates | motivation | recent work | has shown | have shown | shown that
        demonstrated | need | needs | little attention | gap | crucial | essential | challenge | challenges
        recently | increasingly | remains | open problem | important | however
    """,
}


Phrase = str | tuple[str, ...]
"""A cue phrase as the features spell it: one word as itself, longer phrases as word tuples."""


def _phrase(text: str) -> Phrase:
    """A phrase as the features spell it: a word alone, or a tuple of words."""
    words = tuple(text.replace("-", " ").split())
    return words[0] if len(words) == 1 else words


def _phrases() -> dict[Phrase, tuple[str, ...]]:
    groups_of: dict[Phrase, tuple[str, ...]] = {}
    for group, listing in _GROUPS.items():
        for phrase in listing.replace("\n", "|").split("|"):
            key = _phrase(phrase)
            if key and "+" + group not in groups_of.get(key, ()):
                groups_of[key] = groups_of.get(key, ()) + ("+" + group,)
    return groups_of


CUE_GROUPS: dict[Phrase, tuple[str, ...]] = _phrases()
"""Cue phrase → its group features."""


def _long_cues() -> dict[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    starts: dict[tuple[str, ...], tuple[tuple[str, ...], ...]] = {}
    for phrase in CUE_GROUPS:
        if isinstance(phrase, tuple) and len(phrase) >= 3:
            starts[phrase[:3]] = starts.get(phrase[:3], ()) + (phrase,)
    return starts


LONG_CUES: dict[tuple[str, ...], tuple[tuple[str, ...], ...]] = _long_cues()
"""First three words of each phrase of three words or more → those phrases."""
LONG_CUE_WORDS: frozenset[str] = frozenset(max(phrase, key=len) for phrases in LONG_CUES.values() for phrase in phrases)
"""The longest word of each of those phrases: a sentence holding none holds none of the phrases."""


def groups(found: Iterable[Phrase]) -> list[str]:
    """The group features of the cue phrases among ``found`` (once per phrase found)."""
    return [group for named in filter(None, map(CUE_GROUPS.get, found)) for group in named]


AGREEMENT: tuple[Phrase, ...] = tuple(
    map(
        _phrase,
        "consistent with|in line with|in agreement with|agree with|agrees with|accordance with|confirms|"
        "confirmed|corroborate|corroborates|corroborated".split("|"),
    )
)
"""Phrases of a sentence agreeing with what it cites. Athar's corpus, the polarity head's only
training set, calls such sentences objective; pithtui calls agreeing evidence supporting, so the
weights file adds :data:`AGREEMENT_PRIOR` for supporting to each (see ``training.fit.export``)."""
AGREEMENT_PRIOR = 30.0
"""In the units of a weights file's row (idf times weight, before the sentence's scaling): about
two units of log-odds in a sentence of ten words, one in a sentence of forty."""
