"""signnet: a neural network written from scratch, trained and reported by a DVC pipeline.

Importing signnet first pins OpenBLAS's kernel and NumPy's SIMD dispatch before NumPy loads
(:mod:`signnet.cpu`)."""

from signnet import cpu  # noqa: F401  (first: pins OpenBLAS and NumPy before NumPy is imported)

__version__ = "0.1.0"
