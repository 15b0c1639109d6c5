"""The network, written with array-API operations only: no autograd, no deep-learning framework."""
