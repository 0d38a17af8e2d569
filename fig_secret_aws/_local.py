"""A local Secrets Manager (moto's server) for the demo and the examples.

moto is imported only when a server starts, so the library's runtime path never needs it.
"""

from __future__ import annotations

import logging
import os
import tempfile
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["isolated_aws_environment", "local_secrets_manager"]

LOCAL_HOST = "127.0.0.1"
LOCAL_REGION = "eu-west-1"

# Proxy variables would send requests meant for 127.0.0.1 to another host. Every AWS_*
# variable is removed as well, then the isolated ones are set.
_REMOVED_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")


@contextmanager
def isolated_aws_environment(endpoint_url: str) -> Iterator[None]:
    """Point every AWS setting of this process at *endpoint_url*, with fake credentials.

    Profiles, container and instance credentials, proxies and every other ``AWS_*`` variable
    are removed, so that nothing can reach a real AWS endpoint.

    The previous environment is restored on exit.
    """
    saved = dict(os.environ)
    with tempfile.TemporaryDirectory(prefix="fig-secret-aws-") as directory:
        empty_file = os.path.join(directory, "empty")  # noqa: PTH118
        with open(empty_file, "w", encoding="utf-8"):  # noqa: PTH123
            pass

        for name in list(os.environ):
            if name.startswith("AWS_") or name.upper() in _REMOVED_VARIABLES:
                del os.environ[name]
        os.environ.update(
            {
                "AWS_ACCESS_KEY_ID": "testing",
                "AWS_SECRET_ACCESS_KEY": "testing",
                "AWS_DEFAULT_REGION": LOCAL_REGION,
                "AWS_EC2_METADATA_DISABLED": "true",
                "AWS_CONFIG_FILE": empty_file,
                "AWS_SHARED_CREDENTIALS_FILE": empty_file,
                "AWS_ENDPOINT_URL": endpoint_url,
                "AWS_ENDPOINT_URL_SECRETS_MANAGER": endpoint_url,
            },
        )
        try:
            yield
        finally:
            os.environ.clear()
            os.environ.update(saved)


@contextmanager
def local_secrets_manager() -> Iterator[str]:
    """Run moto's Secrets Manager server on 127.0.0.1 in a thread; yield its URL.

    Raises:
        ModuleNotFoundError: moto is not installed; install ``fig-secret-aws[local]``.

    """
    try:
        from moto.moto_server.threaded_moto_server import ThreadedMotoServer  # noqa: PLC0415
    except ModuleNotFoundError as exc:
        msg = (
            "The local Secrets Manager needs moto's server. Install it with: "
            "pip install 'fig-secret-aws[local]'"
        )
        raise ModuleNotFoundError(msg) from exc

    # werkzeug logs every request at INFO; the demo's report is easier to read without them.
    request_logger = logging.getLogger("werkzeug")
    saved_level = request_logger.level
    request_logger.setLevel(logging.WARNING)

    # moto's threaded server listens on every interface unless given an address.
    server = ThreadedMotoServer(ip_address=LOCAL_HOST, port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        yield f"http://{host}:{port}"
    finally:
        server.stop()
        request_logger.setLevel(saved_level)
