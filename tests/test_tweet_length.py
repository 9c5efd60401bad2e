"""X's weighted length against twitter-text's conformance cases (validate.yml, config v3) and ours.

The conformance cases are twitter-text's `WeightedTweetsWithDiscountedEmojiCounterTest` and
`UnicodeDirectionalMarkerCounterTest` (the v3 rules X applies); long texts are rebuilt from their
pattern instead of pasted. The rest are the texts an agent at a German desk actually writes.
"""

from __future__ import annotations

import time
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.sources.x.length import X_LIMIT, url_spans, weighted_length

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"  # 👨‍👩‍👧‍👦
KANA = "あいうえおかきくけこ"
POEM = ("故人西辞黄鹤楼，烟花三月下扬州。孤帆远影碧空尽，唯见长江天际流。朱雀桥边野草花，乌衣巷口夕阳斜。"
        "旧时王谢堂前燕，飞入寻常百姓家。朝辞白帝彩云间，千里江陵一日还。两岸猿声啼不住，轻舟已过万重山。"
        "泪湿罗巾梦不成，夜深前殿按歌声。红颜未老恩先断，斜倚薰笼坐到明。独在异乡为异客，每逢佳节倍思亲。"
        "遥知兄弟登高处，遍插茱萸少一人。")
PUNCTUATION = ("This is a tweet with general punctuation characters: "
               "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u200b "
               "\u2010 \u2011 \u2012 \u2013 \u2014 \u2015 \u2016  \u2017 \u2018 \u2019 \u201a \u201b "
               "\u201c \u201d \u201e \u201f \u2032 \u2033 \u2034 \u2035 \u2036 \u2037")

CONFORMANCE = [
    ("Hi http://test.co", 26),
    ("http://test.co", 23),
    ("285 chars-" + "xxxxxxxxxx-" * 25, 285),
    ("285 chars- http://www.twitter.com/jack " + "xxxxxxxxxx-" * 24, 299),
    ("xxxxxxxxxx-" * 24 + " http://www.twitter.com/jack ", 289),
    ("https://www.twitter.com/aloha " * 10, 240),
    (POEM, 320),
    ("\U0001f637" * 160, 320),
    ("the" + POEM, 323),
    ("282 chars-" + "xxxxxxxxxx-" * 24 + "xxxxx\u00c1x", 281),
    ("H\U0001f431\u263a" + FAMILY, 7),
    ("\U0001f637\U0001f47e\U0001f621\U0001f525\U0001f4a9", 10),
    ("\U0001f64b\U0001f3fd\U0001f468\u200d\U0001f3a4", 4),
    (PUNCTUATION, 110),
    ("randomurl" * 7 + "s.com", 68),
    (KANA * 12 + " http://" + KANA * 5 + "あいう.com", 358),  # host label > 63 once punycoded
    (KANA * 12 + " http://" + KANA * 5 + "あい.com", 264),
    (FAMILY * 140, 280),
    ("1\u20e3", 2),
    ("Unicode 10.0 emoji: \U0001f92a; \U0001f9d5; \U0001f9d5\U0001f3fe; "
     "\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f", 34),
    ("Unicode 9.0 emoji: \U0001f920; \U0001f483; \U0001f483\U0001f3fe", 29),
    ("ABC\u202a\uffffABC\ufffe", 12),
    ("\u2066\u202ahttp://foobar.پاکستان/\u202c\u2069", 31),
    ("A\ufb2c", 4),  # one Hebrew presentation form, three characters after NFC
]


@pytest.mark.parametrize(("text", "expected"), CONFORMANCE)
def test_twitter_text_conformance(text: str, expected: int) -> None:
    assert weighted_length(text) == expected


def test_long_url_with_invalid_host_labels_counts_by_character() -> None:
    """A host label over 63 characters is no URL: its characters count; the valid URL after it is 23."""
    long_host = "https://" + "somesuperlongurl" * 4 + ".com/foo"
    assert weighted_length(f"{long_host} https://validurl.com") == len(long_host) + 1 + 23


@pytest.mark.parametrize(("text", "expected"), [
    ("Hallo, wie können wir helfen?", 29),
    ("Grüße aus Köln, Ihr Service-Team ÄÖÜß", 37),
    ("Gru\u0308\u00dfe", 5),  # decomposed ü is one character after NFC
    ("Preis: 10 €", 12),  # € (U+20AC) lies outside X's narrow ranges
    ("„Danke“ – gern geschehen…", 26),  # German quotes and dashes are in U+2010–U+201F; … is not
    ("漢字", 4),
    ("한국어", 6),
    ("😀", 2),
    ("👍🏽", 2),  # skin tone
    ("🇩🇪", 2),  # flag
    ("#️⃣", 2),  # keycap with U+FE0F
    (FAMILY, 2),
    ("👩🏽\u200d💻", 2),  # ZWJ sequence with a skin tone
    ("❤️", 2),
    ("©", 1), ("©\ufe0f", 2),  # © is an emoji only with U+FE0F
    ("☺\ufe0e", 4),  # text presentation: not an emoji, two wide characters
])
def test_characters_and_emoji(text: str, expected: int) -> None:
    assert weighted_length(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("https://www.telekom.de/hilfe/router-einrichten?modell=7590#wlan", 23),
    ("http://example.com", 23),
    ("telekom.de", 23),  # bare domain with a real top-level domain
    ("telekom.de/hilfe", 23),
    ("www.example.co.uk/x", 23),
    ("Siehe telekom.de und https://example.com/a.", 6 + 23 + 5 + 23 + 1),
    ("(siehe telekom.de)", 7 + 23 + 1),
    ("Hallo.Wie geht's?", 17),  # 'wie' is no top-level domain
    ("Datei.txt", 9),
    ("kunde@example.com", 17),  # an e-mail address is no URL
    ("https://t.co/abc123/more", 23 + 5),  # a t.co link ends after its slug
    ("ftp://example.com", 17),  # only http(s) is a protocol, and a host right after "/" is no URL
])
def test_urls_count_23(text: str, expected: int) -> None:
    assert weighted_length(text) == expected


def test_url_spans() -> None:
    text = "Infos: telekom.de/hilfe, https://www.example.com/x?y=1."
    assert [text[start:end] for start, end in url_spans(text)] == [
        "telekom.de/hilfe", "https://www.example.com/x?y=1"]


@pytest.mark.parametrize(("text", "expected"), [
    ("x" * 280, 280),
    ("x" * 281, 281),
    ("ä" * 280, 280),
    ("漢" * 140, 280),
    ("漢" * 140 + "x", 281),
    ("😀" * 140, 280),
    ("a" * 256 + " https://www.telekom.de/hilfe/ein/sehr/langer/pfad", 280),
])
def test_280_boundary(text: str, expected: int) -> None:
    assert weighted_length(text) == expected
    assert (weighted_length(text) <= X_LIMIT) == (expected <= 280)


def test_the_x_network_checks_drafts_with_this_count() -> None:
    """The desk checks a draft's length with the network's `reply_limit` (pure)."""
    from bot.sources.x import NETWORK

    assert NETWORK.reply_limit("Danke 👍🏽 https://example.com/a/very/long/path") == (32, X_LIMIT)


def test_pathological_input_stays_fast() -> None:
    """Dots without a top-level domain make the URL pattern backtrack: bounded, not quadratic in labels."""
    started = time.perf_counter()
    assert weighted_length("a." * 1500) == 3000
    assert weighted_length("\U0001f468\u200d" * 1000) == 750  # ZWJ chains join at most four emoji
    assert time.perf_counter() - started < 5


# Latin without combining marks (NFC leaves it alone), no dot (no URL), no © or ® (emoji with U+FE0F).
LATIN = st.characters(min_codepoint=0x20, max_codepoint=0x2FF, exclude_characters=".\u00a9\u00ae")


@given(st.text(LATIN))
def test_latin_text_without_dots_counts_one_per_character(text: str) -> None:
    assert weighted_length(text) == len(text)


@given(st.text())
def test_canonically_equivalent_texts_count_the_same(text: str) -> None:
    """X counts the NFC form, so a decomposed text (as some keyboards send) counts the same."""
    length = weighted_length(text)
    assert length >= 0
    assert weighted_length(unicodedata.normalize("NFD", text)) == length
