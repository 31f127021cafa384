"""Copying native objects shares them; pickling is refused; neither crashes the process."""

import copy
import pickle

import pytest

import upbond


def test_copies_share_the_native_client_and_keep_working(service: upbond.Client) -> None:
    for clone in (copy.copy(service), copy.deepcopy(service)):
        assert clone.client_credentials(["api:read"]).access_token
    assert service.client_credentials(["api:read"]).access_token


def test_cancel_tokens_copy_safely() -> None:
    token = upbond.CancelToken()
    clone = copy.deepcopy(token)
    clone.cancel()
    assert token.is_cancelled()
    del clone
    token.cancel()


def test_pickling_a_native_object_is_a_type_error(service: upbond.Client) -> None:
    for obj in (service, upbond.CancelToken()):
        with pytest.raises(TypeError, match="native handle"):
            pickle.dumps(obj)
    assert service.client_credentials(["api:read"]).access_token
