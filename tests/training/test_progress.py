"""training/progress.py: what a run prints while it trains (the lines ``chainrule train`` shows)."""

import pytest

from chainrule import ConfigError, Network, Progress
from chainrule.training import Trainer
from chainrule.training.progress import Report

from support.tiers import need  # test tiers: skip with a reason when missing (never under CI=true)

X = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
T = [[0.0], [1.0], [1.0], [0.0]]


def _train(progress, epochs=12, **options):
    net = Network([2, 3, 1], ["sigmoid", "sigmoid"], "half_sse", seed=0)
    trainer = Trainer(net, X, T, epochs=epochs, batch_size=2, callbacks=[progress], **options)
    trainer.run()
    return trainer


def _epochs(out):
    return [line.split()[1] for line in out.splitlines() if line.startswith("epoch")]


def test_every_nth_epoch_and_the_first_and_last(capsys):
    _train(Progress(every=5), epochs=12)
    out, err = capsys.readouterr()
    assert _epochs(out) == ["1/12", "5/12", "10/12", "12/12"] and err == ""  # not a terminal: no bar
    assert out.splitlines()[0].startswith("epoch  1/12  loss ")  # aligned to the width of the last


def test_the_epoch_that_stops_early_is_shown(capsys):
    trainer = _train(Progress(every=100), epochs=500, early_stopping=1, optimizer="sgd", learning_rate=50.0)
    assert trainer.stop_training and trainer.epoch < 500
    assert _epochs(capsys.readouterr().out) == ["1/500", f"{trainer.epoch}/500"]


def test_quiet_shows_only_results_and_the_ctrl_c_line(capsys):
    progress = Progress(quiet=True)
    _train(progress)
    progress.note("a note")
    progress.result("the score")
    progress.stopped(3)
    out, err = capsys.readouterr()
    assert out == "the score\n" and err == "\nstopped after epoch 3; continue with the same call and resume=True\n"


def test_the_bar_goes_to_stderr_and_the_lines_still_to_stdout(capsys):
    need("tqdm", "the progress bar")
    _train(Progress(bar=True), epochs=3)
    out, err = capsys.readouterr()
    assert _epochs(out) == ["1/3", "2/3", "3/3"] and "samples" in err


def test_a_report_is_silent_and_every_must_be_a_whole_number(capsys):
    report = Report()
    _train(report)
    report.note("x")
    report.result("y")
    report.stopped(1)
    assert capsys.readouterr() == ("", "")
    with pytest.raises(ConfigError, match="every must be a whole number of at least 1"):
        Progress(every=0)
