"""``python -m bot triage FILE|-`` behaviour, through bot.triage.cli.main."""

import io
import json

from bot.triage.cli import main


def run(rules, text: str, args=("-",)):
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), rules, io.StringIO(text), out, err)
    return code, [json.loads(line) for line in out.getvalue().splitlines()], err.getvalue()


def test_answers_every_line_in_order(triage):
    lines = [
        {"id": "1", "text": "Seit drei Tagen kein Internet, ruft mich an: 0171 1234567"},
        {"id": "2", "text": "Danke, läuft wieder!"},
        {
            "network": "twitter",
            "id": "3",
            "text": "Können Sie mein Handy entsperren?",
            "author": {"id": "501", "handle": "kunde_a", "name": "Kunde A"},
            "created_at": "2026-11-24T09:15:00+01:00",
        },
    ]
    code, out, err = run(triage.rules, "".join(json.dumps(x) + "\n" for x in lines))
    assert code == 0 and err == ""
    assert [o["id"] for o in out] == ["1", "2", "3"]
    first = out[0]
    assert set(first) == {"id", "sentiment", "score", "address", "personal_data", "route", "model"}
    assert first["sentiment"] == "negative" and first["address"] == "du"
    assert first["route"] == "C0FESTNETZ"
    assert first["personal_data"] == [{"kind": "phone", "text": "0171 1234567", "start": 45, "end": 57}]
    assert out[2]["address"] == "sie" and out[2]["route"] == "C0MOBIL"


def test_bad_lines_are_reported_with_line_numbers_and_good_lines_still_answered(triage):
    text = (
        '{"id": "a", "text": "Funkloch!"}\n'
        "not json\n"
        '{"id": "b"}\n'
        "\n"
        '["list"]\n'
        '{"id": "c", "text": "Alles gut"}\n'
    )
    code, out, err = run(triage.rules, text)
    assert code == 1
    assert [o["id"] for o in out] == ["a", "c"]
    assert "Zeile/line 2" in err and "JSON" in err
    assert "Zeile/line 3" in err and '"text"' in err
    assert "Zeile/line 5" in err
    assert "line 4" not in err  # blank lines are skipped silently


def test_reads_a_file(triage, tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text('{"id": 7, "text": "Hallo"}\n', encoding="utf-8")
    code, out, _ = run(triage.rules, "", args=(str(path),))
    assert code == 0 and out[0]["id"] == "7"


def test_missing_file_and_bad_usage(triage, tmp_path):
    code, out, err = run(triage.rules, "", args=(str(tmp_path / "nope.jsonl"),))
    assert code == 2 and out == [] and "nope.jsonl" in err
    code, _, err = run(triage.rules, "", args=())
    assert code == 2 and "usage" in err


def test_empty_input_is_fine(triage):
    assert run(triage.rules, "") == (0, [], "")
