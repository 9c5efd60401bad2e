"""X's weighted post length (twitter-text v3 rules), counted here rather than by `twitter-text-parser`.

Why our own: `twitter-text-parser` imports `pkg_resources`, which Python 3.12+ venvs no longer ship,
so the bot crashed at start there. The rules are small and published (twitter-text config "v3"):

- the text is NFC-normalised first;
- every URL counts 23: `http(s)://…`, and bare domains such as `example.com/hilfe` whose top-level
  domain is real (checked against the Public Suffix List's ICANN section, which follows IANA);
- every emoji counts 2, a sequence as one: ZWJ families, skin tones, flags, keycaps, tag flags;
- any other code point counts 1 in U+0000–U+10FF, U+2000–U+200D, U+2010–U+201F, U+2032–U+2037
  and 2 elsewhere (CJK, most symbols).

The URL patterns follow twitter-text's extractor, so that text like `Hallo.Wie geht's?` is not a URL
and `Danke.De` is (as on X). Known differences, all far from what an agent writes: twemoji counts
only standard (RGI) ZWJ sequences as one emoji, so a non-standard join such as 😀‍😀 counts 2 here
where X may count 5 (a chain joins at most four emoji here, as the longest standard ones do); a host
of more than 22 labels is no URL here (that bound keeps the pattern from backtracking for seconds on
text like `a.a.a.…`); the TLD list is today's, where twitter-text's dates from 2020.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from functools import cache

import publicsuffixlist
import regex

X_LIMIT = 280  # X's maximum weighted length of a post

URL_LENGTH = 23
MAX_URL_LENGTH = 4096  # twitter-text ignores longer URLs (they count character by character)
MAX_LABEL_LENGTH = 63  # DNS: a host label longer than this (punycoded) is no URL
NARROW = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))

# Character classes, as twitter-text defines them.
_PUNCT = r"!'#%&()*+,\\\-./:;<=>?@\[\]^_{|}~$"
_SPACES = r"\x09-\x0D\x20\x85\xA0\u1680\u180E\u2000-\u200A\u2028\u2029\u202F\u205F\u3000"
_INVALID = r"\uFFFE\uFEFF\uFFFF"
_DIRECTIONAL = r"\u202A-\u202E\u061C\u200E\u200F\u2066-\u2069"
_LATIN_ACCENTS = (r"\xC0-\xD6\xD8-\xF6\xF8-\xFF\u0100-\u024F\u0253\u0254\u0256\u0257\u0259\u025B"
                  r"\u0263\u0268\u026F\u0272\u0289\u028B\u02BB\u0300-\u036F\u1E00-\u1EFF")
_DOMAIN_CHAR = f"[^{_PUNCT}{_SPACES}{_INVALID}{_DIRECTIONAL}]"
_PATH_CHAR = rf"[a-z\u0400-\u04FF0-9!*';:=+,.$/%#\[\]\-\u2013_~@|&{_LATIN_ACCENTS}]"
_PARENS = rf"\((?:{_PATH_CHAR}+|{_PATH_CHAR}*\({_PATH_CHAR}+\){_PATH_CHAR}*)\)"
_PATH_END = rf"(?:[+\-a-z\u0400-\u04FF0-9=_#/{_LATIN_ACCENTS}]|{_PARENS})"
_PATH = rf"(?:{_PATH_CHAR}*(?:{_PARENS}{_PATH_CHAR}*)*{_PATH_END}|@{_PATH_CHAR}+/)"
_QUERY_CHAR = r"[a-z0-9!?*'@();:&=+$/%#\[\]\-_.,~|]"
_QUERY_END = r"[a-z0-9\-_&=#/]"
_TCO = regex.compile(rf"https?://t\.co/([a-z0-9]+)(?:\?{_QUERY_CHAR}*{_QUERY_END})?", regex.I)
_NO_PROTOCOL_BEFORE = ("-", "_", ".", "/")

# Emoji, as twemoji groups them. ©, ®, ™ and ♟ are emoji only with U+FE0F; U+FE0E asks for text.
_TEXT_FIRST = "\u00a9\u00ae\u2122\u265f"
_UNIT = (rf"(?:[{_TEXT_FIRST}]\uFE0F|(?![{_TEXT_FIRST}])\p{{ExtPict}}(?:\uFE0F|\p{{EMod}})?(?!\uFE0E)"
         r"|\p{EMod})")
_EMOJI_OR_CHAR = regex.compile(
    r"(?P<emoji>[#*0-9]\uFE0F?\u20E3"  # keycap 1️⃣
    r"|\p{RI}\p{RI}"  # flag 🇩🇪
    r"|\U0001F3F4[\U000E0020-\U000E007E]+\U000E007F"  # tag flag 🏴󠁧󠁢󠁳󠁣󠁴󠁿
    rf"|{_UNIT}(?:\u200D{_UNIT}){{0,3}})"  # one emoji, or a ZWJ sequence 👩🏽‍💻
    r"|(?s:.)"
)


@cache
def _top_level_domains() -> frozenset[str]:
    """Every ICANN top-level domain (the last label of each ICANN rule of the Public Suffix List)."""
    tlds: set[str] = set()
    in_icann = False
    with open(publicsuffixlist.PSLFILE, encoding="utf-8") as psl:
        for line in psl:
            rule = line.strip()
            if rule.startswith("// ===BEGIN ICANN"):
                in_icann = True
            elif rule.startswith("// ===END ICANN"):
                break
            elif in_icann and rule and not rule.startswith("//"):
                tlds.add(rule.rsplit(".", 1)[-1].lstrip("!*"))
    return frozenset(tlds)


@cache
def _patterns() -> tuple[regex.Pattern[str], regex.Pattern[str]]:
    """twitter-text's URL extractor and its ASCII-domain pattern (built once, on first use)."""
    # A named list matches like twitter-text's alternation (longest first) but as a set: fast.
    tld = r"(?:\L<tlds>(?=[^0-9a-zA-Z@+-]|\Z)|xn--[\-0-9a-z]+)"
    subdomain = rf"(?:(?:{_DOMAIN_CHAR}(?:[_-]|{_DOMAIN_CHAR}){{0,61}})?{_DOMAIN_CHAR}\.)"
    domain_name = rf"(?:(?:{_DOMAIN_CHAR}(?:-|{_DOMAIN_CHAR}){{0,61}})?{_DOMAIN_CHAR}\.)"
    url = regex.compile(
        rf"(?P<before>[^A-Za-z0-9@＠$#＃{_INVALID}]|^)"
        rf"(?P<url>(?P<protocol>https?://)?(?P<domain>{subdomain}{{0,20}}{domain_name}{tld})"
        rf"(?::[0-9]+)?(?P<path>/{_PATH}*)?(?:\?{_QUERY_CHAR}*{_QUERY_END})?)",
        regex.I, tlds=_top_level_domains(),
    )
    ascii_domain = regex.compile(rf"(?:[\-a-z0-9{_LATIN_ACCENTS}]+\.)+{tld}", regex.I,
                                 tlds=_top_level_domains())
    return url, ascii_domain


def _valid_url(domain: str, url: str, protocol: str, ascii_domain: regex.Pattern[str]) -> bool:
    """twitter-text's `isValidUrl`: each host label 1–63 characters once punycoded, URL ≤ 4096."""
    if domain[:4].lower() == "xn--" and not ascii_domain.search(domain):
        return False
    encoded = 0
    for label in domain.split("."):
        length = len(label) if label.isascii() else len("xn--" + label.encode("punycode").decode())
        if not 1 <= length <= MAX_LABEL_LENGTH:
            return False
        encoded += length + 1
    return len(protocol) + len(url) + (encoded - 1 - len(domain)) <= MAX_URL_LENGTH


def url_spans(text: str) -> Iterator[tuple[int, int]]:
    """Start and end of every URL twitter-text extracts from `text` (already NFC), in order."""
    if "." not in text:
        return
    url_pattern, ascii_domain = _patterns()
    pos = 0
    while match := url_pattern.search(text, pos):
        pos = match.end()
        url, protocol, domain = match["url"], match["protocol"] or "", match["domain"]
        start = match.start("url")
        if not _valid_url(domain, url, protocol or "https://", ascii_domain):
            continue
        if protocol:
            tco = _TCO.match(url)
            if tco is None:
                yield start, match.end()
            elif len(tco[1]) <= 40:  # a t.co link ends after its slug (and query)
                yield start, start + tco.end()
            continue
        if match["before"].endswith(_NO_PROTOCOL_BEFORE):
            continue
        # Without a protocol only ASCII host names count, each on its own; a path joins the last.
        found = [(start + m.start(), start + m.end()) for m in ascii_domain.finditer(domain)]
        if found and match["path"]:
            found[-1] = (found[-1][0], match.end())
        yield from found


def _char_weight(char: str) -> int:
    code = ord(char)
    return 1 if any(low <= code <= high for low, high in NARROW) else 2


def _text_weight(text: str) -> int:
    return sum(2 if m["emoji"] else _char_weight(m[0]) for m in _EMOJI_OR_CHAR.finditer(text))


def weighted_length(text: str) -> int:
    """Length as X counts it against its 280 limit: URLs 23, emoji and CJK 2, Latin 1."""
    text = unicodedata.normalize("NFC", text)
    length, pos = 0, 0
    for start, end in url_spans(text):
        length += _text_weight(text[pos:start]) + URL_LENGTH
        pos = end
    return length + _text_weight(text[pos:])
