"""Inputs shared by several test modules (tests import nothing from each other)."""

SEED_FILE = {
    "layers": [2, 2, 2],
    "activation": "sigmoid",
    "loss": "half_sse",
    "learning_rate": 0.5,
    "weights": [[[0.15, 0.20], [0.25, 0.30]], [[0.40, 0.45], [0.50, 0.55]]],
    "biases": [0.35, 0.60],
    "train_biases": False,
    "input": [0.05, 0.10],
    "target": [0.01, 0.99],
}
DEEP_FILE = {
    "layers": [3, 4, 3, 2],
    "activation": ["relu", "tanh", "softmax"],
    "loss": "cross_entropy",
    "bias": "per_neuron",
    "seed": 7,
    "init": "xavier",
    "title": "a deeper one",
    "inputs": [[1, 2, 3], [0, -1, 0.5]],
    "targets": [[1, 0], [0, 1]],
    "learning_rate": 0.1,
}
IRIS = """sepal_length,sepal_width,petal_length,petal_width,species
5.1,3.5,1.4,0.2,setosa
4.9,3.0,1.4,0.2,setosa
7.0,3.2,4.7,1.4,versicolor
6.4,3.2,4.5,1.5,versicolor
6.3,3.3,6.0,2.5,virginica
"""
SHEET = """# my answers for the seed example
net_h1 = 0.3775
out_h1 = 0.593269992
E_total = 0.298371109
dE_total/dw5 = 0.082167041
w5+ = 0.35891648
H1_final = 0.593269992   # the third seed's name
E_total@1 = 0.291027774
out_o1@10000 = 0.015913620
"""
