"""The fuzz harness itself catches what it must: a foreign exception, a multi-line message, an
empty message, and a wrong valid result are failures; a one-line library error is not."""

import random

from chainrule.errors import DataError, FileFormatError

from support.fuzz_harness import byte_inputs, fuzz, json_inputs, mutate_text, text_inputs


def test_a_foreign_exception_is_a_failure():
    report = fuzz(int, ["1", "x", "2"])
    assert report.valid == 2 and len(report.failures) == 1 and "ValueError" in report.failures[0][1]


def test_multi_line_and_empty_messages_are_failures():
    def reader(data):
        raise FileFormatError("one\ntwo") if data else DataError("")

    report = fuzz(reader, ["a", ""])
    assert len(report.failures) == 2


def test_a_one_line_library_error_is_a_refusal_and_check_judges_results():
    def reader(data):
        if data == "bad":
            raise DataError("bad input")
        return data

    report = fuzz(reader, ["bad", "ok", "wrong"], check=lambda d, r: "wrong result" if r == "wrong" else None)
    assert (report.refused, report.valid, len(report.failures)) == (1, 1, 1)


def test_inputs_are_deterministic_and_malformed():
    a = list(json_inputs([{"a": [1, 2]}], 200, seed=5))
    assert a == list(json_inputs([{"a": [1, 2]}], 200, seed=5))
    assert len(set(a)) > 100
    blobs = list(byte_inputs([b'{"a": 1}'], 500, seed=1))
    undecodable = 0
    for b in blobs:
        try:
            b.decode("utf-8")
        except UnicodeDecodeError:
            undecodable += 1
    assert undecodable > 20
    texts = list(text_inputs(["w1 = 0.5\n"], 300, seed=2))
    assert any("NaN" in t or "Infinity" in t or "1e999" in t for t in texts)
    assert mutate_text("abc", random.Random(0)) != "abc" or mutate_text("abc", random.Random(1)) != "abc"
