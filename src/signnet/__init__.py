"""signnet: a neural network written from scratch, trained and reported by a DVC pipeline."""

__version__ = "0.1.0"
