"""The one escaping function: user text can never broadcast, link, or break a limit."""

from bot.views.text import ELLIPSIS, Limit, counted, escape, plain, truncate


def test_broadcasts_and_ampersands_are_escaped():
    assert escape("Tell <!channel> & <!here> <!everyone>") == (
        "Tell &lt;!channel&gt; &amp; &lt;!here&gt; &lt;!everyone&gt;"
    )


def test_links_and_mentions_typed_as_text_stay_text():
    assert escape("<https://evil.example|click> <@U123>") == (
        "&lt;https://evil.example|click&gt; &lt;@U123&gt;"
    )


def test_long_text_is_cut_to_the_limit_with_an_ellipsis():
    cut = escape("x" * 4000, Limit.SECTION)
    assert len(cut) == Limit.SECTION
    assert cut.endswith(ELLIPSIS)


def test_cutting_never_splits_an_entity():
    cut = escape("a" * 8 + "&&&", 12)
    assert len(cut) <= 12
    assert cut.endswith(ELLIPSIS)
    assert "&am" + ELLIPSIS not in cut
    assert cut.count("&") == cut.count("&amp;")


def test_cutting_never_splits_a_mention_a_date_or_a_link():
    """A long reflection with mentions in it, cut to a section: the cut falls before a token
    rather than inside it."""
    for token in (
        "<@U0123ABCD>",
        "<!date^1700000000^{date}|1 Jan 2027>",
        "<https://x.nhs.uk|the form>",
    ):
        for start in range(Limit.SECTION - len(token), Limit.SECTION):
            text = "x" * start + token + " and more words after it"
            cut = truncate(text, Limit.SECTION)
            assert len(cut) <= Limit.SECTION
            kept = cut.removesuffix(ELLIPSIS)
            assert kept.count("<") == kept.count(">"), (token, start)


def test_a_plain_text_cut_keeps_what_a_person_typed_up_to_the_limit():
    cut = plain("a <b " + "c" * 100, Limit.BUTTON)
    assert cut.startswith("a <b ccc")
    assert len(cut) == Limit.BUTTON


def test_escaping_counts_against_the_limit():
    cut = escape("&" * 3000, Limit.SECTION)
    assert len(cut) <= Limit.SECTION


def test_control_characters_are_dropped_but_newlines_kept():
    assert escape("a\x00b\x07c\nd\te") == "abc\nd\te"


def test_short_text_is_unchanged():
    assert truncate("hello", 10) == "hello"
    assert plain("<b>" * 100, Limit.BUTTON).endswith(ELLIPSIS)
    assert len(plain("<b>" * 100, Limit.BUTTON)) == Limit.BUTTON


def test_a_count_agrees_with_its_noun_and_has_thousands_separators():
    assert counted(1, "concern") == "1 concern"
    assert counted(0, "concern") == "0 concerns"
    assert counted(1, "reply", "replies") == "1 reply"
    assert counted(1200, "reply", "replies") == "1,200 replies"
