"""Nothing lost (issue 7): a training process is SIGKILLed at random moments; after every kill the
last checkpoint loads, and resuming until the end gives exactly (bit for bit) the parameters of an
uninterrupted run.  Bounded: a small CSV, 4 kills."""

import os
import random
import signal
import subprocess
import sys
import time

import numpy as np

from chainrule.io.checkpoint import checkpoint_path, load_checkpoint
from chainrule.io.model_file import load_model

EPOCHS = 16
KILLS = 4


def _write_data(path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2000, 8))
    y = np.argmax(X[:, :3] + 0.3 * rng.normal(size=(2000, 3)), axis=1)
    lines = [",".join(f"x{i}" for i in range(8)) + ",label"]
    lines += [",".join(f"{v:.6f}" for v in row) + f",c{t}" for row, t in zip(X, y)]
    path.write_text("\n".join(lines) + "\n")


def _command(folder, save):
    # dropout and shuffling draw from the run's random generator: resuming must restore its state too
    return [
        sys.executable,
        "-m",
        "chainrule",
        "train",
        "--data",
        "data.csv",
        "--target",
        "label",
        "--layers",
        "8,32,32,3",
        "--dropout",
        "0.1",
        "--epochs",
        str(EPOCHS),
        "--batch-size",
        "4",
        "--optimizer",
        "adam",
        "--learning-rate",
        "0.001",
        "--seed",
        "3",
        "--checkpoint",
        folder,
        "--resume",
        "--save",
        save,
        "--quiet",
    ]


def _epoch(folder) -> int:
    return int(load_checkpoint(folder)["epoch"]) if checkpoint_path(folder).exists() else 0


def test_sigkill_at_random_moments_then_resume_gives_the_uninterrupted_result(tmp_path):
    _write_data(tmp_path / "data.csv")
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    reference = subprocess.run(_command("ref", "ref.json"), cwd=tmp_path, env=env, capture_output=True, timeout=300)
    assert reference.returncode == 0, reference.stderr.decode()

    rng = random.Random(7)
    ck = tmp_path / "ck"
    epochs_seen, mid_run_kills = [0], 0
    for _ in range(KILLS):
        proc = subprocess.Popen(
            _command("ck", "final.json"), cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        # wait for this run to write two checkpoints of its own (to time one epoch), then kill it at
        # a random moment of the next epoch — possibly while it writes the next checkpoint
        seen_at, deadline = {}, time.monotonic() + 120
        while proc.poll() is None and time.monotonic() < deadline and len(seen_at) < 3:
            try:
                seen_at.setdefault(_epoch(ck), time.monotonic())
            except Exception:  # a checkpoint being replaced right now: look again
                pass
            time.sleep(0.005)
        times = sorted(seen_at.values())
        epoch_seconds = times[-1] - times[-2] if len(times) >= 2 else 0.1
        time.sleep(rng.uniform(0.0, epoch_seconds))
        if proc.poll() is not None:  # it finished before the kill
            break
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stderr.close()
        # the last checkpoint always loads, and training never goes backwards
        state = load_checkpoint(ck)
        assert state["epoch"] >= epochs_seen[-1]
        epochs_seen.append(int(state["epoch"]))
        mid_run_kills += 0 < state["epoch"] < EPOCHS
        assert not (tmp_path / "final.json").exists() or state["epoch"] == EPOCHS
    print("epochs at kills:", epochs_seen)
    assert mid_run_kills >= 2, epochs_seen

    final = subprocess.run(_command("ck", "final.json"), cwd=tmp_path, env=env, capture_output=True, timeout=300)
    assert final.returncode == 0, final.stderr.decode()
    ref, res = load_model(tmp_path / "ref.json"), load_model(tmp_path / "final.json")
    for a, b in zip(ref.network.parameters(), res.network.parameters()):
        np.testing.assert_array_equal(a, b)  # bit for bit
    assert ref.history.to_dict() == res.history.to_dict()
