"""Datasets: toy problems, the datasets scikit-learn ships, CSV and IDX files; preprocessing."""
