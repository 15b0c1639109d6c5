"""Work on a pool of threads: the same bytes for any thread count, the right product, blocks and
slabs fixed by the shapes alone, and a whole training run identical on 1, 2, 3 and 8 threads."""

import array_api_strict
import numpy as np
import pytest

from signnet.nn import parallel
from signnet.nn.backend import fixed_threads
from signnet.nn.losses import encode_targets
from signnet.nn.model import Network
from signnet.nn.optimizers import Adam
from signnet.nn.parallel import matmul, plan, using_threads
from signnet.nn.training import Samples, fit
from tests.conftest import network_config

THREAD_COUNTS = (1, 2, 3, 8)
# The real ones, under the test that counts their cuts.
real_plan, real_slabs = parallel.plan, parallel.slabs


def operands(m, k, n, dtype, transposed=False):
    rng = np.random.default_rng(m * 1_000_003 + k * 1009 + n)
    a = rng.standard_normal((m, k)).astype(dtype)
    b = rng.standard_normal((k, n)).astype(dtype)
    if transposed:  # as the layers pass them: views of transposed arrays
        a, b = np.ascontiguousarray(a.T).T, np.ascontiguousarray(b.T).T
    return a, b


# (m, k, n): cut along n, along m, along k (a summed side), and one too small to cut.
SHAPES = {"n": (32, 144, 9000), "m": (5000, 300, 40), "k": (20, 40000, 30), "": (32, 784, 64)}


@pytest.mark.parametrize("axis", list(SHAPES))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("transposed", [False, True])
def test_the_blocked_product_is_the_product_and_the_same_on_any_thread_count(
    axis, dtype, transposed
):
    m, k, n = SHAPES[axis]
    assert plan(m, k, n)[0] == axis
    a, b = operands(m, k, n, dtype, transposed)
    with fixed_threads():
        results = {}
        for count in THREAD_COUNTS:
            with using_threads(count):
                results[count] = matmul(a, b)
    exact = a.astype(np.float64) @ b.astype(np.float64)
    tolerance = 1e-4 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(results[1], exact, rtol=tolerance, atol=tolerance * np.sqrt(k))
    assert results[1].dtype == np.dtype(dtype) and results[1].shape == (m, n)
    for count in THREAD_COUNTS[1:]:
        assert results[count].tobytes() == results[1].tobytes(), f"{count} threads differ"


def test_blocks_cover_the_side_in_granules_and_depend_on_the_shapes_only():
    for m, k, n in [(32, 144, 18432), (128, 576, 1152), (576, 1152, 128), (4096, 256, 256)]:
        axis, blocks = plan(m, k, n)
        side = {"m": m, "k": k, "n": n}[axis]
        assert blocks[0][0] == 0 and blocks[-1][1] == side
        pairs = zip(blocks[:-1], blocks[1:], strict=True)
        assert all(stop == start for (_, stop), (start, _) in pairs)
        assert all((stop - start) % parallel.GRANULE == 0 for start, stop in blocks[:-1])
        assert 2 <= len(blocks) <= parallel.MAX_BLOCKS
        with using_threads(1):
            assert plan(m, k, n) == (axis, blocks)  # the count is not an input
    assert plan(1, 1, 1) == ("", [])


def test_a_small_product_and_other_array_libraries_multiply_as_they_are():
    a, b = operands(3, 4, 5, "float64")
    assert np.array_equal(matmul(a, b), a @ b)
    xa, xb = array_api_strict.asarray(a), array_api_strict.asarray(b)
    assert np.array_equal(np.asarray(matmul(xa, xb)), a @ b)


def test_the_thread_count_comes_from_the_call_the_environment_or_the_cores(monkeypatch):
    monkeypatch.delenv(parallel.THREADS_VARIABLE, raising=False)
    assert parallel.default_threads() >= 1
    monkeypatch.setenv(parallel.THREADS_VARIABLE, "3")
    assert parallel.threads() == 3
    with using_threads(2):
        assert parallel.threads() == 2
    assert parallel.threads() == 3
    for bad in ("many", "\u00b2"):  # "²" is a digit to str.isdigit()
        monkeypatch.setenv(parallel.THREADS_VARIABLE, bad)
        with pytest.raises(parallel.ThreadsError, match=f"SIGNNET_THREADS='{bad}'"):
            parallel.threads()
    for bad in (0, -1, 1.5, True):
        with pytest.raises(parallel.ThreadsError):
            parallel.set_threads(bad)


def small_cnn(dtype):
    config = network_config(
        144,
        3,
        conv=(4, 8),
        hidden=(16,),
        dropout=0.2,
        batch_norm=True,
        activation="relu",
        init="he",
        dtype=dtype,
    )
    return Network.initialise(config, 7, np)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_a_training_run_gives_the_same_bytes_on_1_2_3_and_8_threads(monkeypatch, dtype):
    # Small blocks, so that this small network's every product is cut: forward and backward,
    # convolution (along the pixels, and along them summed for the weight gradient) and dense;
    # and small slabs, so that pooling, normalisation and unfolding go in several.
    monkeypatch.setattr(parallel, "MIN_BLOCK", 256)
    monkeypatch.setattr(parallel, "GRANULE", 4)
    monkeypatch.setattr(parallel, "MIN_SLAB", 64)
    cuts, slabs = [], []
    monkeypatch.setattr(parallel, "plan", lambda *s: cuts.append(real_plan(*s)) or cuts[-1])
    monkeypatch.setattr(parallel, "slabs", lambda *s: slabs.append(real_slabs(*s)) or slabs[-1])
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 3, 48)
    x = rng.standard_normal((48, 144)).astype(dtype)
    samples = Samples(x, encode_targets(labels, 3).astype(dtype), labels)
    weights = {}
    with fixed_threads():
        for count in THREAD_COUNTS:
            network = small_cnn(dtype)
            with using_threads(count):
                adam = Adam(lr=0.01, beta1=0.9, beta2=0.999, weight_decay=1e-4)
                history = fit(network, adam, samples, None, 2, 16, 0)
            weights[count] = (
                b"".join(a.tobytes() for s in network.states() for a in s.values()),
                repr(history),
            )
    assert {axis for axis, _ in cuts} == {"m", "k", "n"}
    assert max(map(len, slabs)) > 2
    for count in THREAD_COUNTS[1:]:
        assert weights[count] == weights[1], f"{count} threads trained other weights"


def test_slabs_cover_the_rows_and_each_task_sees_its_own():
    assert parallel.slabs(3, 10) == [(0, 3)]  # too few values to cut
    blocks = parallel.slabs(16, 16 * parallel.MIN_SLAB)
    assert blocks[0][0] == 0 and blocks[-1][1] == 16 and len(blocks) == parallel.MAX_BLOCKS
    array = np.zeros((64, 4 * parallel.MIN_SLAB // 64))
    seen = []
    with using_threads(3):
        parallel.for_slabs(array, lambda start, stop: seen.append((start, stop)))
    assert sorted(seen) == parallel.slabs(*array.shape[:1], array.size) and len(seen) == 4


def test_an_error_in_a_block_is_raised_after_every_block_has_stopped():
    blocks = [(i, i + 1) for i in range(8)]
    finished = []

    def task(block):
        if block[0] == 5:
            raise ValueError("block 5")
        finished.append(block)

    with using_threads(3), pytest.raises(ValueError, match="block 5"):
        parallel._run(task, blocks)
    assert sorted(finished) == [b for b in blocks if b[0] != 5]  # nothing still running
