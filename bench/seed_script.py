"""The seed author's script structure, re-implemented for comparison (not copied): one object per
neuron, per-neuron Python loops, ``math.exp``.  A Neuron keeps its weights, bias, inputs and
output; a NeuronLayer holds neurons sharing one bias; a NeuralNetwork feeds forward, computes the
output deltas, then the hidden deltas, then updates the output weights and the hidden weights.
"""

from __future__ import annotations

import math


class Neuron:
    def __init__(self, bias: float):
        self.bias = bias
        self.weights: list[float] = []
        self.inputs: list[float] = []
        self.output = 0.0

    def calculate_output(self, inputs):
        self.inputs = inputs
        self.output = self.squash(self.calculate_total_net_input())
        return self.output

    def calculate_total_net_input(self):
        total = 0.0
        for i in range(len(self.inputs)):
            total += self.inputs[i] * self.weights[i]
        return total + self.bias

    @staticmethod
    def squash(total_net_input):
        return 1 / (1 + math.exp(-total_net_input))

    def calculate_error(self, target):
        return 0.5 * (target - self.output) ** 2

    def calculate_pd_error_wrt_output(self, target):
        return -(target - self.output)

    def calculate_pd_total_net_input_wrt_input(self):
        return self.output * (1 - self.output)

    def calculate_pd_error_wrt_total_net_input(self, target):
        return self.calculate_pd_error_wrt_output(target) * self.calculate_pd_total_net_input_wrt_input()

    def calculate_pd_total_net_input_wrt_weight(self, index):
        return self.inputs[index]


class NeuronLayer:
    def __init__(self, num_neurons: int, bias: float):
        self.bias = bias
        self.neurons = [Neuron(self.bias) for _ in range(num_neurons)]

    def feed_forward(self, inputs):
        return [neuron.calculate_output(inputs) for neuron in self.neurons]

    def get_outputs(self):
        return [neuron.output for neuron in self.neurons]


class NeuralNetwork:
    LEARNING_RATE = 0.5

    def __init__(
        self,
        num_inputs,
        num_hidden,
        num_outputs,
        hidden_layer_weights,
        hidden_layer_bias,
        output_layer_weights,
        output_layer_bias,
    ):
        self.num_inputs = num_inputs
        self.hidden_layer = NeuronLayer(num_hidden, hidden_layer_bias)
        self.output_layer = NeuronLayer(num_outputs, output_layer_bias)
        self._init_weights(self.hidden_layer, hidden_layer_weights, num_inputs)
        self._init_weights(self.output_layer, output_layer_weights, num_hidden)

    @staticmethod
    def _init_weights(layer, weights, num_senders):
        k = 0
        for neuron in layer.neurons:
            for _ in range(num_senders):
                neuron.weights.append(weights[k])
                k += 1

    def feed_forward(self, inputs):
        return self.output_layer.feed_forward(self.hidden_layer.feed_forward(inputs))

    def train(self, training_inputs, training_outputs):
        self.feed_forward(training_inputs)
        # output neuron deltas: dE/dnet_o
        pd_output = [0.0] * len(self.output_layer.neurons)
        for o in range(len(self.output_layer.neurons)):
            pd_output[o] = self.output_layer.neurons[o].calculate_pd_error_wrt_total_net_input(training_outputs[o])
        # hidden neuron deltas: (Σ_o delta_o · w_ho) · dout_h/dnet_h
        pd_hidden = [0.0] * len(self.hidden_layer.neurons)
        for h in range(len(self.hidden_layer.neurons)):
            d_error_wrt_hidden_output = 0.0
            for o in range(len(self.output_layer.neurons)):
                d_error_wrt_hidden_output += pd_output[o] * self.output_layer.neurons[o].weights[h]
            pd_hidden[h] = (
                d_error_wrt_hidden_output * self.hidden_layer.neurons[h].calculate_pd_total_net_input_wrt_input()
            )
        # update the output weights, then the hidden weights
        for o in range(len(self.output_layer.neurons)):
            neuron = self.output_layer.neurons[o]
            for w in range(len(neuron.weights)):
                neuron.weights[w] -= (
                    self.LEARNING_RATE * pd_output[o] * neuron.calculate_pd_total_net_input_wrt_weight(w)
                )
        for h in range(len(self.hidden_layer.neurons)):
            neuron = self.hidden_layer.neurons[h]
            for w in range(len(neuron.weights)):
                neuron.weights[w] -= (
                    self.LEARNING_RATE * pd_hidden[h] * neuron.calculate_pd_total_net_input_wrt_weight(w)
                )

    def calculate_total_error(self, training_sets):
        total = 0.0
        for inputs, outputs in training_sets:
            self.feed_forward(inputs)
            for o in range(len(outputs)):
                total += self.output_layer.neurons[o].calculate_error(outputs[o])
        return total


def seed_script_network() -> NeuralNetwork:
    return NeuralNetwork(
        2,
        2,
        2,
        hidden_layer_weights=[0.15, 0.2, 0.25, 0.3],
        hidden_layer_bias=0.35,
        output_layer_weights=[0.4, 0.45, 0.5, 0.55],
        output_layer_bias=0.6,
    )
