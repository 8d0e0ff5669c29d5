"""Datasets (XOR, the seed's sample, scikit-learn's bundled sets, CSV, IDX) and preprocessing."""

from ..training.preprocess import LabelEncoder, Standardizer
from .datasets import Dataset, load_dataset
from .split import train_test_split

__all__ = ["Dataset", "LabelEncoder", "Standardizer", "load_dataset", "train_test_split"]
