"""The chapter-6 exercise checks: right answers pass, stubs are 'not done yet', and each
typical mistake gets its own message."""

import numpy as np

from lrnn_utils import kernels, network
from lrnn_utils.checks import ch06


def stub(*args, **kwargs):
    raise NotImplementedError()


def jh_right(Wx, Wh, Wy, X):
    P, T, _ = X.shape
    G = kernels.backward_maps(Wx, Wh, Wy, T)
    H = network.hidden_states(Wx, Wh, Wy, X)
    return np.einsum("toa,ptb->poab", G, H[:, :T]).reshape(P * Wy.shape[0], -1)


def test_jacobian_wh():
    assert ch06.jacobian_wh(jh_right).passed
    assert ch06.jacobian_wh(stub).status == "not done yet"

    def shifted(Wx, Wh, Wy, X):
        P, T, _ = X.shape
        G = kernels.backward_maps(Wx, Wh, Wy, T)
        H = network.hidden_states(Wx, Wh, Wy, X)
        return np.einsum("toa,ptb->poab", G, H[:, 1:]).reshape(P * Wy.shape[0], -1)

    def transposed(Wx, Wh, Wy, X):
        P, T, _ = X.shape
        G = kernels.backward_maps(Wx, Wh, Wy, T)
        H = network.hidden_states(Wx, Wh, Wy, X)
        return np.einsum("toa,ptb->poba", G, H[:, :T]).reshape(P * Wy.shape[0], -1)

    def last_only(Wx, Wh, Wy, X):
        P, T, _ = X.shape
        H = network.hidden_states(Wx, Wh, Wy, X)
        return np.einsum("oa,pb->poab", Wy, H[:, T - 1]).reshape(P * Wy.shape[0], -1)

    assert "off by one in time" in ch06.jacobian_wh(shifted).message
    assert "transposed" in ch06.jacobian_wh(transposed).message
    assert "only the last step" in ch06.jacobian_wh(last_only).message
    assert "shape" in ch06.jacobian_wh(lambda Wx, Wh, Wy, X: np.zeros(3)).message


def test_kernel_distance():
    fro = np.linalg.norm

    def right(K0, K1):
        return 1 - np.sum(K0 * K1) / (fro(K0) * fro(K1))

    assert ch06.kernel_distance(right).passed
    assert ch06.kernel_distance(stub).status == "not done yet"
    msg = ch06.kernel_distance(lambda K0, K1: 1 - right(K0, K1)).message
    assert "cosine similarity" in msg
    msg = ch06.kernel_distance(
        lambda K0, K1: 1 - np.sum(K0 * K1) / (fro(K0) ** 2 * fro(K1) ** 2)
    ).message
    assert "squared" in msg
    msg = ch06.kernel_distance(
        lambda K0, K1: 1 - np.sum(K0 @ K1) / (fro(K0) * fro(K1))
    ).message
    assert "Frobenius inner product" in msg
    msg = ch06.kernel_distance(lambda K0, K1: fro(K1 - K0) / fro(K0)).message
    assert "relative change" in msg


def test_linearised_step():
    def right(Wx, Wh, Wy, X, Y, lr):
        K = kernels.ntk(Wx, Wh, Wy, X)
        err = network.forward(Wx, Wh, Wy, X) - Y
        return -lr * (K @ err.ravel()).reshape(Y.shape) / X.shape[0]

    assert ch06.linearised_step(right).passed
    assert ch06.linearised_step(stub).status == "not done yet"
    no_p = lambda Wx, Wh, Wy, X, Y, lr: right(Wx, Wh, Wy, X, Y, lr) * X.shape[0]  # noqa: E731
    assert "1/P" in ch06.linearised_step(no_p).message
    no_lr = lambda Wx, Wh, Wy, X, Y, lr: right(Wx, Wh, Wy, X, Y, lr) / lr  # noqa: E731
    assert "learning rate" in ch06.linearised_step(no_lr).message

    def wrong_order(Wx, Wh, Wy, X, Y, lr):
        K = kernels.ntk(Wx, Wh, Wy, X)
        err = (network.forward(Wx, Wh, Wy, X) - Y).T.ravel()
        return -lr * (K @ err).reshape(Y.shape) / X.shape[0]

    assert "stacked" in ch06.linearised_step(wrong_order).message
    flipped = lambda **c: -right(**c)  # noqa: E731
    assert "wrong sign" in ch06.linearised_step(flipped).message
