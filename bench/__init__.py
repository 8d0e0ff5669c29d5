"""Benchmarks: ``python -m bench`` (from the repository root) runs every workload for us and for
each peer, alternating, several repeats, and prints medians and ratios (ours / peer).

Workloads: ``seed`` (the 2-2-2 example, 10,000 online updates), ``mnist`` (60,000 x 784 float32,
784-256-128-10 ReLU + softmax cross-entropy, SGD, one epoch, batch 32/128/1024), ``explain``
(JSON and Markdown explanation of one step of a 784-32-10 network) and ``example`` (the
``chainrule example`` process).  Timings live here, never in the tests.
"""
