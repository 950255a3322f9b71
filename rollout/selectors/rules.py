"""Host-group rules: a small text syntax, a structured JSON form, and their translation to SQL.

Text: ``platform:windows and tag:prod and not (hostname:lab-* or site:"test lab")``. Terms are
``key:value``; ``and`` binds tighter than ``or``; ``not`` and parentheses as usual. Keys:
``platform``, ``tag``, ``hostname`` (glob, case-insensitive), ``site``, ``os`` (OS version) and
``build`` (sensor build). ``os`` and ``build`` take an exact version, a glob (``7.11.*``), a bound
(``>=10.0.19041``, ``<14``) or an inclusive range (``10.0.17763..10.0.19045``).

JSON: ``{"and": [..]}``, ``{"or": [..]}``, ``{"not": rule}`` and one-key terms such as
``{"platform": "windows"}``, ``{"os_version": ">=10.0"}``. Both forms normalise to the same JSON.

The SQL is a boolean condition over unqualified ``telemetry_host`` columns with parameters: the
database evaluates groups, never a Python loop over hosts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rollout.resolver.targets import version_key
from telemetry.models import Platform

MAX_TEXT = 2000


MAX_TERMS = 64


MAX_DEPTH = 16


KEYS = {
    "platform": "platform",
    "tag": "tag",
    "tags": "tag",
    "hostname": "hostname",
    "host": "hostname",
    "site": "site",
    "os": "os_version",
    "os_version": "os_version",
    "build": "sensor_build",
    "sensor_build": "sensor_build",
}


TEXT_KEYS = {
    "platform": "platform",
    "tag": "tag",
    "hostname": "hostname",
    "site": "site",
    "os_version": "os",
    "sensor_build": "build",
}


# Plain dotted versions (nearly all) take the cheap path; anything else has its non-digits removed.
_VERSION_EXPR = (
    "(CASE WHEN {col} ~ '^[0-9]+(\\.[0-9]+)*$' THEN string_to_array({col}, '.')::numeric[] "
    "ELSE array_remove(string_to_array(regexp_replace({col}, '[^0-9.]', '', 'g'), '.'), '')::numeric[] END)"
)


class RuleError(ValueError):
    """A rule that does not parse or validate; ``position`` is the 1-based column in the text form."""

    def __init__(self, message: str, position: int | None = None, path: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.position = position
        self.path = path

    def __str__(self) -> str:
        return f"{self.message} (column {self.position})" if self.position else self.message


@dataclass(frozen=True)
class _Token:
    kind: str  # "(", ")", "and", "or", "not", "term", "end"
    text: str
    pos: int  # 1-based column
    key: str = ""
    value: str = ""


_TOKEN = re.compile(
    r"""\s*(?:(?P<paren>[()])|(?P<term>(?P<key>[A-Za-z_]+):(?:"(?P<quoted>[^"]*)"|(?P<bare>[^\s()"]+)))"""
    r"""|(?P<word>[^\s()]+))"""
)


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    while pos < len(text):
        if text[pos].isspace():
            pos += 1
            continue
        match = _TOKEN.match(text, pos)
        if match is None:  # pragma: no cover - the pattern matches any non-space character
            raise RuleError(f"Unexpected character {text[pos]!r}", pos + 1)
        start = match.start(match.lastgroup or 0) if match.lastgroup else pos
        column = start + 1
        if match.group("paren"):
            tokens.append(_Token(match.group("paren"), match.group("paren"), column))
        elif match.group("term"):
            key = match.group("key").lower()
            if key not in KEYS:
                raise RuleError(
                    f"Unknown attribute {match.group('key')!r}: use platform, tag, hostname, site, os or build",
                    column,
                )
            value = match.group("quoted") if match.group("quoted") is not None else match.group("bare")
            if value == "":
                raise RuleError(f"{key}: needs a value", column)
            tokens.append(_Token("term", match.group("term"), column, KEYS[key], value))
        else:
            word = match.group("word")
            lowered = word.lower()
            if lowered in ("and", "or", "not"):
                tokens.append(_Token(lowered, word, column))
            elif '"' in word and ":" in word:
                raise RuleError("Unterminated quoted value", column + word.index('"'))
            elif ":" in word:
                raise RuleError(f"{word!r} needs a value after ':'", column)
            else:
                raise RuleError(
                    f"Expected a term like key:value, 'and', 'or' or 'not', found {word!r}", column
                )
        pos = match.end()
    tokens.append(_Token("end", "", len(text) + 1))
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokenize(text)
        self.index = 0
        self.terms = 0

    def peek(self) -> _Token:
        return self.tokens[self.index]

    def take(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def parse(self) -> dict[str, Any]:
        if self.peek().kind == "end":
            raise RuleError("The rule is empty", 1)
        rule = self.or_expr(0)
        token = self.peek()
        if token.kind != "end":
            raise RuleError(f"Expected 'and', 'or' or the end of the rule, found {token.text!r}", token.pos)
        return rule

    def or_expr(self, depth: int) -> dict[str, Any]:
        parts = [self.and_expr(depth)]
        while self.peek().kind == "or":
            self.take()
            parts.append(self.and_expr(depth))
        return parts[0] if len(parts) == 1 else {"or": parts}

    def and_expr(self, depth: int) -> dict[str, Any]:
        parts = [self.not_expr(depth)]
        while self.peek().kind == "and":
            self.take()
            parts.append(self.not_expr(depth))
        return parts[0] if len(parts) == 1 else {"and": parts}

    def not_expr(self, depth: int) -> dict[str, Any]:
        if depth > MAX_DEPTH:
            raise RuleError(f"The rule nests deeper than {MAX_DEPTH} levels", self.peek().pos)
        if self.peek().kind == "not":
            self.take()
            return {"not": self.not_expr(depth + 1)}
        return self.atom(depth)

    def atom(self, depth: int) -> dict[str, Any]:
        token = self.take()
        if token.kind == "(":
            inner = self.or_expr(depth + 1)
            closing = self.peek()
            if closing.kind != ")":
                raise RuleError(f"Expected ')' to close the '(' at column {token.pos}", closing.pos)
            self.take()
            return inner
        if token.kind == "term":
            self.terms += 1
            if self.terms > MAX_TERMS:
                raise RuleError(f"A rule may have at most {MAX_TERMS} terms", token.pos)
            try:
                return {token.key: _check_value(token.key, token.value)}
            except RuleError as exc:
                raise RuleError(exc.message, token.pos) from None
        if token.kind == "end":
            raise RuleError("The rule ends too early: expected a term like platform:windows", token.pos)
        raise RuleError(f"Expected a term like key:value, found {token.text!r}", token.pos)


def _check_version_value(key: str, value: str) -> str:
    text = value.strip()
    if ".." in text:
        low, _, high = text.partition("..")
        if not version_key(low) or not version_key(high):
            raise RuleError(f"{key}: a range needs two versions, like 10.0..11.0")
        if version_key(low) > version_key(high):
            raise RuleError(f"{key}: the range {text} ends before it starts")
        return text
    bound = re.match(r"^(>=|<=|>|<)", text)
    if bound:
        if not version_key(text[bound.end() :]):
            raise RuleError(f"{key}: {text!r} needs a version after {bound.group(1)}")
        return text
    return text


def _check_value(key: str, value: Any) -> str:
    if not isinstance(value, str) or not value or len(value) > 255:
        raise RuleError(f"{key}: the value must be a non-empty string of at most 255 characters")
    if key == "platform" and value.lower() not in Platform.values:
        raise RuleError(f"platform: {value!r} is not one of {', '.join(Platform.values)}")
    if key == "platform":
        return value.lower()
    if key == "tag" and len(value) > 64:
        raise RuleError("tag: at most 64 characters")
    if key in ("os_version", "sensor_build"):
        return _check_version_value(key, value)
    return value


def rule_parse(text: str) -> dict[str, Any]:
    """The normalised JSON form of a text rule; raises ``RuleError`` with the column."""
    if len(text) > MAX_TEXT:
        raise RuleError(f"The rule is longer than {MAX_TEXT} characters", MAX_TEXT + 1)
    return _Parser(text).parse()


def rule_normalise(rule: Any, path: str = "rule", depth: int = 0) -> dict[str, Any]:
    """Validates the JSON form (raising ``RuleError`` naming the path) and returns it normalised."""
    if depth > MAX_DEPTH:
        raise RuleError(f"The rule nests deeper than {MAX_DEPTH} levels", path=path)
    if not isinstance(rule, dict) or len(rule) != 1:
        raise RuleError("Each rule node is an object with exactly one key", path=path)
    ((key, value),) = rule.items()
    if key in ("and", "or"):
        if not isinstance(value, list) or not value:
            raise RuleError(f"'{key}' takes a non-empty list of rules", path=f"{path}.{key}")
        if len(value) > MAX_TERMS:
            raise RuleError(f"'{key}' takes at most {MAX_TERMS} rules", path=f"{path}.{key}")
        return {key: [rule_normalise(v, f"{path}.{key}[{i}]", depth + 1) for i, v in enumerate(value)]}
    if key == "not":
        return {"not": rule_normalise(value, f"{path}.not", depth + 1)}
    canonical = KEYS.get(str(key).lower())
    if canonical is None:
        raise RuleError(f"Unknown attribute {key!r}", path=path)
    try:
        return {canonical: _check_value(canonical, value)}
    except RuleError as exc:
        raise RuleError(exc.message, path=f"{path}.{key}") from None


def _quote(value: str) -> str:
    if re.fullmatch(r'[^\s()"]+', value):
        return value
    return '"' + value.replace('"', "") + '"'


def rule_to_text(rule: dict[str, Any], top: bool = True) -> str:
    """The text form of a normalised rule (parenthesised where precedence needs it)."""
    ((key, value),) = rule.items()
    if key in ("and", "or"):
        inner = f" {key} ".join(rule_to_text(v, top=False) for v in value)
        return inner if top else f"({inner})"
    if key == "not":
        return f"not {rule_to_text(value, top=False)}"
    return f"{TEXT_KEYS[key]}:{_quote(value)}"


def _glob_to_like(pattern: str) -> str:
    escaped = pattern.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped.replace("*", "%").replace("?", "_")


def _version_sql(col: str, value: str) -> tuple[str, list[Any]]:
    expr = _VERSION_EXPR.format(col=col)
    text = value.strip()
    if ".." in text:
        low, _, high = text.partition("..")
        return (
            f"({col} <> '' AND {expr} >= %s::numeric[] AND {expr} <= %s::numeric[])",
            [list(version_key(low)), list(version_key(high))],
        )
    bound = re.match(r"^(>=|<=|>|<)", text)
    if bound:
        return (
            f"({col} <> '' AND {expr} {bound.group(1)} %s::numeric[])",
            [list(version_key(text[bound.end() :]))],
        )
    if "*" in text or "?" in text:
        return f"{col} LIKE %s", [_glob_to_like(text)]
    return f"{col} = %s", [text]


def rule_sql(rule: dict[str, Any]) -> tuple[str, list[Any]]:
    """A boolean SQL condition over ``telemetry_host`` columns, with its parameters."""
    ((key, value),) = rule.items()
    if key in ("and", "or"):
        parts = [rule_sql(v) for v in value]
        sql = f" {key.upper()} ".join(f"({p[0]})" for p in parts)
        return sql, [param for p in parts for param in p[1]]
    if key == "not":
        inner, params = rule_sql(value)
        return f"NOT ({inner})", params
    if key == "platform":
        return "platform = %s", [value]
    if key == "tag":
        return "tags @> ARRAY[%s]::varchar(64)[]", [value]
    if key == "site":
        if "*" in value or "?" in value:
            return "site ILIKE %s", [_glob_to_like(value)]
        return "site = %s", [value]
    if key == "hostname":
        return "hostname ILIKE %s", [_glob_to_like(value)]
    if key in ("os_version", "sensor_build"):
        return _version_sql(key, value)
    raise RuleError(f"Unknown attribute {key!r}")  # pragma: no cover - normalised rules only
