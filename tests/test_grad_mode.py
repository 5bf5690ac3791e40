"""Grad mode: context managers and decorators, restored on exceptions, per thread."""

from __future__ import annotations

import threading

import pytest

import ndgrad


def test_no_grad_context() -> None:
    x = ndgrad.ones(2, requires_grad=True)
    with ndgrad.no_grad():
        assert not ndgrad.is_grad_enabled()
        y = x * 2
        with ndgrad.enable_grad():
            z = x * 2
    assert ndgrad.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None
    assert z.requires_grad


def test_restored_on_exception() -> None:
    with pytest.raises(ValueError), ndgrad.no_grad():
        raise ValueError
    assert ndgrad.is_grad_enabled()


def test_decorators_including_generators() -> None:
    @ndgrad.no_grad()
    def f():
        return ndgrad.is_grad_enabled()

    @ndgrad.no_grad()
    def gen():
        yield ndgrad.is_grad_enabled()
        yield ndgrad.is_grad_enabled()

    assert f() is False and ndgrad.is_grad_enabled()
    g = gen()
    assert next(g) is False
    assert ndgrad.is_grad_enabled()  # the caller's code between steps records
    assert next(g) is False


def test_set_grad_enabled_as_function_and_context() -> None:
    with ndgrad.set_grad_enabled(False):
        assert not ndgrad.is_grad_enabled()
    assert ndgrad.is_grad_enabled()
    ndgrad.set_grad_enabled(False)
    assert not ndgrad.is_grad_enabled()
    ndgrad.set_grad_enabled(True)

    @ndgrad.set_grad_enabled(False)
    def f():
        return ndgrad.is_grad_enabled()

    assert ndgrad.is_grad_enabled() and f() is False


def test_inference_mode() -> None:
    x = ndgrad.ones(2, requires_grad=True)
    with ndgrad.inference_mode():
        assert ndgrad.is_inference_mode_enabled()
        assert not (x * 2).requires_grad
    with ndgrad.inference_mode(False):
        assert (x * 2).requires_grad
    assert not ndgrad.is_inference_mode_enabled()


def test_grad_mode_is_per_thread() -> None:
    x = ndgrad.ones(2, requires_grad=True)
    result = {}

    def worker():
        result["enabled"] = ndgrad.is_grad_enabled()
        result["records"] = (x * 2).requires_grad

    with ndgrad.no_grad():
        t = threading.Thread(target=worker)
        t.start()
        t.join()
    assert result == {"enabled": True, "records": True}


def test_no_grad_in_one_thread_does_not_leak_to_another() -> None:
    started, release = threading.Event(), threading.Event()
    seen = {}

    def holder():
        with ndgrad.no_grad():
            started.set()
            release.wait(5)

    t = threading.Thread(target=holder)
    t.start()
    started.wait(5)
    seen["main"] = ndgrad.is_grad_enabled()
    release.set()
    t.join()
    assert seen["main"] is True
