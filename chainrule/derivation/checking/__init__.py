"""Checking a learner's answers: expressions on the left, the marking rule, verdicts and hints."""
