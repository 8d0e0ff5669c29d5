"""A reusable fuzz harness: throw thousands of malformed inputs at a reader and demand that each one
either gives a valid result or raises the library's own error with a one-line message — never any
other exception.

Inputs are made by deterministic mutation (``random.Random(seed)``) of a few valid examples:
truncation, byte and character edits, spliced-in tokens (NaN, Infinity, 1e999, huge sizes, unknown
names, NUL, non-UTF-8 bytes), and, for JSON, edits of the parsed tree (wrong types, ragged or empty
matrices, missing and unknown keys, deep nesting) before it is written back.
"""

from __future__ import annotations

import copy
import json
import math
import random
from dataclasses import dataclass, field

from chainrule.errors import ChainruleError


# ------------------------------------------------------------------------------ the verdict
@dataclass(repr=False)
class Report:
    tried: int = 0
    valid: int = 0
    refused: int = 0  # raised a ChainruleError with a one-line message
    failures: list = field(default_factory=list)  # (input, what went wrong)
    errors: dict = field(default_factory=dict)  # error class name -> count
    kinds: dict = field(default_factory=dict)  # first words of each problem -> (count, an input)

    def add_failure(self, data, problem: str) -> None:
        kind = problem[:70]
        count, example = self.kinds.get(kind, (0, data))
        self.kinds[kind] = (count + 1, example)
        if len(self.failures) < 10:
            shown = data if len(repr(data)) < 300 else repr(data)[:300] + "..."
            self.failures.append((shown, problem))
        else:
            self.failures.append(None)

    def __str__(self) -> str:
        head = f"{self.tried} inputs: {self.valid} valid, {self.refused} refused, {len(self.failures)} failures"
        shown = sorted(self.kinds.items(), key=lambda kv: -kv[1][0])[:12]
        return head + "".join(f"\n  {count} x {kind}\n      e.g. {_short(data)}" for kind, (count, data) in shown)

    __repr__ = __str__


def _short(data) -> str:
    text = repr(data)
    return text if len(text) < 300 else text[:300] + "..."


def one_line_problem(exc: BaseException) -> str | None:
    """What is wrong with an error's message, or None when it is one clear line."""
    text = str(exc)
    if not text.strip():
        return f"{type(exc).__name__} with an empty message"
    if "\n" in text or "\r" in text:
        return f"{type(exc).__name__} message spans lines: {text[:200]!r}"
    if "Traceback" in text:
        return f"{type(exc).__name__} message holds a traceback"
    return None


def fuzz(reader, inputs, *, check=None) -> Report:
    """Call ``reader(data)`` for every input.  ``check(data, result)`` may judge a valid result
    (return a problem string, or None when the result is acceptable)."""
    report = Report()
    for data in inputs:
        report.tried += 1
        try:
            result = reader(data)
        except ChainruleError as exc:
            problem = one_line_problem(exc)
            if problem:
                report.add_failure(data, problem)
            else:
                report.refused += 1
                report.errors[type(exc).__name__] = report.errors.get(type(exc).__name__, 0) + 1
        except KeyboardInterrupt:
            raise
        # MemoryError and RecursionError included; anything else is a crash the user would see as a traceback
        except Exception as exc:
            report.add_failure(data, f"{type(exc).__name__}: {str(exc)[:200]}")
        else:
            problem = check(data, result) if check else None
            if problem:
                report.add_failure(data, problem)
            else:
                report.valid += 1
    return report


# ----------------------------------------------------------------------------- the inputs
TOKENS = [
    "NaN",
    "nan",
    "-nan",
    "Infinity",
    "-Infinity",
    "inf",
    "1e999",
    "-1e999",
    "1e308",
    "4.9e-324",
    "-0",
    "0",
    "-1",
    "1000000000",
    "99999999999999999999",
    "1e9",
    "0x10",
    "1_000",
    "null",
    "true",
    "false",
    "[]",
    "{}",
    "[[]]",
    "[[1, 2], [3]]",
    '""',
    '"sigmoid"',
    '"no_such_thing"',
    "\x00",
    "\t",
    "=",
    "==",
    "#",
    ",",
    ":",
    "[",
    "]",
    "{",
    "}",
    '"',
    "\\",
    "é",
    "\u2212",
    "\u00a0",
    "\U0001f600",
    "\ufeff",
    "@",
    "@-1",
    "@99999999999",
    "w5",
    "E_total",
    "dE_total/dw5",
    "H1_final",
    "../../etc/passwd",
]

WRONG_VALUES = [
    None,
    True,
    False,
    0,
    -1,
    1,
    2,
    0.5,
    -0.0,
    1e308,
    -1e308,
    1e-320,
    10**9,
    10**30,
    -(10**9),
    float("nan"),
    float("inf"),
    float("-inf"),
    "",
    "x",
    "sigmoid",
    "relu",
    "no_such_name",
    "1",
    "0.5",
    "NaN",
    [],
    [[]],
    [1],
    [1, 2, 3],
    [[1, 2], [3]],
    [[1, "x"], [2, 3]],
    [[[1]]],
    [None],
    [float("nan")],
    [10**9, 10**9],
    {},
    {"a": 1},
    {"__reduce__": "os.system"},
    {"$ref": "#"},
    ["sigmoid"] * 3,
    [True, False],
]


def mutate_text(text: str, rng: random.Random) -> str:
    """One to three random edits of ``text``."""
    for _ in range(rng.randint(1, 3)):
        n = len(text)
        op = rng.randrange(9)
        i = rng.randint(0, n)
        if op == 0:  # truncate
            text = text[:i]
        elif op == 1 and n:  # delete a run
            text = text[:i] + text[i + rng.randint(1, 8) :]
        elif op == 2:  # insert a token
            text = text[:i] + rng.choice(TOKENS) + text[i:]
        elif op == 3 and n:  # replace a run by a token
            text = text[:i] + rng.choice(TOKENS) + text[i + rng.randint(1, 6) :]
        elif op == 4:  # a random character, any plane
            text = text[:i] + chr(rng.choice([rng.randint(0, 127), rng.randint(128, 0x10FFFF)])) + text[i:]
        elif op == 5 and n:  # duplicate a line
            lines = text.splitlines(keepends=True) or [text]
            j = rng.randrange(len(lines))
            lines.insert(j, lines[j])
            text = "".join(lines)
        elif op == 6 and n:  # swap digits for a special number
            digits = [k for k, c in enumerate(text) if c.isdigit()]
            if digits:
                k = rng.choice(digits)
                text = text[:k] + rng.choice(["NaN", "Infinity", "1e999", "-1", "9" * 30]) + text[k + 1 :]
        elif op == 7:  # a very long line
            text = text[:i] + rng.choice(["9", "[", "{", "a", "0."]) * rng.choice([100, 5000]) + text[i:]
        else:  # flip case / drop a structural character
            text = text[:i] + text[i:].replace(rng.choice([",", "=", ":", "]", "}", '"']), "", 1)
    return text


def mutate_bytes(data: bytes, rng: random.Random) -> bytes:
    """Byte-level edits: flips, truncation, invalid UTF-8 sequences, NULs."""
    for _ in range(rng.randint(1, 3)):
        n = len(data)
        op = rng.randrange(5)
        i = rng.randint(0, n)
        if op == 0:
            data = data[:i]
        elif op == 1 and n:
            j = rng.randrange(n)
            data = data[:j] + bytes([data[j] ^ (1 << rng.randrange(8))]) + data[j + 1 :]
        elif op == 2:
            data = (
                data[:i] + rng.choice([b"\xff", b"\xfe\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\x80", b"\x00"]) + data[i:]
            )
        elif op == 3 and n:
            j = rng.randrange(n)
            data = data[:j] + bytes([rng.randrange(256)]) * rng.randint(1, 16) + data[j + 1 :]
        else:
            data = (
                data[:i]
                + mutate_text(data[i : i + 64].decode("latin-1"), rng).encode("utf-8", "surrogatepass")
                + data[i + 64 :]
            )
    return data


def _paths(obj, prefix=()):
    yield prefix
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(obj, list):
        for k, v in enumerate(obj):
            yield from _paths(v, prefix + (k,))


def mutate_tree(obj, rng: random.Random):
    """Edit a parsed JSON document: a node gets a wrong value, is removed or duplicated, a key is added."""
    obj = copy.deepcopy(obj)
    for _ in range(rng.randint(1, 3)):
        paths = list(_paths(obj))
        path = rng.choice(paths)
        if not path:
            if rng.random() < 0.2:
                obj = copy.deepcopy(rng.choice(WRONG_VALUES))
            continue
        parent = obj
        for k in path[:-1]:
            parent = parent[k]
        key = path[-1]
        op = rng.randrange(6)
        if op <= 2:  # a wrong value
            parent[key] = copy.deepcopy(rng.choice(WRONG_VALUES))
        elif op == 3:  # remove it
            del parent[key]
        elif op == 4:  # an unknown key / an extra element
            if isinstance(parent, dict):
                parent[rng.choice(["extra", "weights2", "__class__", "layer"])] = copy.deepcopy(
                    rng.choice(WRONG_VALUES)
                )
            else:
                parent.append(copy.deepcopy(parent[key]))
        else:  # deep nesting
            node = parent[key]
            for _ in range(rng.choice([5, 50])):
                node = [node]
            parent[key] = node
    return obj


def json_inputs(examples: list, n: int, seed: int = 0):
    """``n`` malformed JSON texts made from valid documents ``examples``."""
    rng = random.Random(seed)
    for _ in range(n):
        doc = rng.choice(examples)
        kind = rng.random()
        if kind < 0.6:  # a well-formed JSON text with wrong content
            text = json.dumps(mutate_tree(doc, rng))
        elif kind < 0.9:  # broken JSON text
            text = mutate_text(json.dumps(doc, indent=rng.choice([None, 1])), rng)
        else:  # both
            text = mutate_text(json.dumps(mutate_tree(doc, rng)), rng)
        yield text


def text_inputs(examples: list[str], n: int, seed: int = 0):
    rng = random.Random(seed)
    for _ in range(n):
        yield mutate_text(rng.choice(examples), rng)


def byte_inputs(examples: list[bytes], n: int, seed: int = 0):
    rng = random.Random(seed)
    for _ in range(n):
        yield mutate_bytes(rng.choice(examples), rng)


def is_finite_number(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)
