"""Exercises for teachers: a random network, its questions and the answer key."""
