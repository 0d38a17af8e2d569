"""The ``fig-secret-aws`` command line, run in-process and as ``python -m fig_secret_aws``."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import uuid
from typing import TYPE_CHECKING, Any

import pytest

from fig_secret_aws._cli import main
from tests.harness import ISOLATED_REGION, DropAfterForward, ErrorReply, child_process_environment

if TYPE_CHECKING:
    from pathlib import Path

    from tests.harness import FaultProxy

OLD_VALUE = "5d0e2c8a-7b1f-4e39-a6d4-0c9b8e7f6a51"
NEW_VALUE = "c3f1a9d2-64e8-4b07-9f5a-2e8d1c7b6a40"
KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"

SUBPROCESS_TIMEOUT = 60


def _access_denied(action: str) -> ErrorReply:
    return ErrorReply(
        "AccessDeniedException",
        f"User: arn:aws:sts::123456789012:assumed-role/ops/cli is not authorized to perform: "
        f"{action} because no identity-based policy allows the {action} action",
    )


def _aws(endpoint_url: str) -> list[str]:
    return ["--endpoint-url", endpoint_url, "--region", ISOLATED_REGION]


def _stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(text))


def _stage_value(admin: Any, secret_name: str, stage: str = "AWSCURRENT") -> str:
    reply = admin.get_secret_value(SecretId=secret_name, VersionStage=stage)

    return str(reply["SecretString"])


def _one_error_line(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("fig-secret-aws")
    assert ": error: " in lines[0]

    return lines[0]


# name


def test_name_prints_one_name_per_line(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["name", "My Service", "billing-worker", "My Service"])

    out, err = capsys.readouterr()
    assert code == 0
    assert out == "FIG_MYSERVICE_SECRET\nFIG_BILLING-WORKER_SECRET\nFIG_MYSERVICE_SECRET\n"
    assert err == ""


@pytest.mark.parametrize(
    ("client_name", "reason"),
    [
        pytest.param("Bad#Name", "U+0023", id="hash"),
        pytest.param("   ", "only spaces", id="spaces"),
        pytest.param("", "only spaces", id="empty"),
        pytest.param("Straße", "U+00DF", id="non-ascii"),
        pytest.param("tab\there", "U+0009", id="tab"),
        pytest.param("x" * 600, "512", id="too-long"),
    ],
)
def test_name_invalid_client_prints_nothing(
    client_name: str, reason: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["name", "Good", client_name])

    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert reason in _one_error_line(err)


def test_name_without_client_is_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["name"])

    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert "CLIENT_NAME" in _one_error_line(err)


# ensure


def test_ensure_creates_and_prints_no_value(
    admin: Any, endpoint_url: str, proxy: FaultProxy, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["ensure", "Orders API", *_aws(endpoint_url)])

    out, err = capsys.readouterr()
    assert code == 0
    assert err == ""
    described = admin.describe_secret(SecretId="FIG_ORDERSAPI_SECRET")
    assert out == f"FIG_ORDERSAPI_SECRET\tcreated\t{described['ARN']}\n"
    assert described["Description"] == "Fig client secret for FIG_ORDERSAPI_SECRET"
    value = _stage_value(admin, "FIG_ORDERSAPI_SECRET")
    assert str(uuid.UUID(value)) == value
    assert value not in out
    assert proxy.count("CreateSecret") == 1


def test_ensure_reports_existing_and_new(
    admin: Any, endpoint_url: str, proxy: FaultProxy, capsys: pytest.CaptureFixture[str]
) -> None:
    existing = admin.create_secret(Name="FIG_EXISTING_SECRET", SecretString=OLD_VALUE)

    code = main(["ensure", "Existing", "Fresh", "Ex isting", *_aws(endpoint_url)])

    out, _ = capsys.readouterr()
    assert code == 0
    lines = [line.split("\t") for line in out.splitlines()]
    assert lines[0] == ["FIG_EXISTING_SECRET", "exists", existing["ARN"]]
    assert lines[1][:2] == ["FIG_FRESH_SECRET", "created"]
    assert len(lines) == 2
    assert _stage_value(admin, "FIG_EXISTING_SECRET") == OLD_VALUE
    assert OLD_VALUE not in out
    assert proxy.count("CreateSecret") == 1


def test_ensure_passes_tags_key_and_description(
    admin: Any, endpoint_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "ensure",
            "Tagged",
            "--tag",
            "team=orders",
            "--tag",
            "cost-centre=42=a",
            "--kms-key-id",
            "alias/fig-secrets",
            "--description",
            "Orders client secret",
            *_aws(endpoint_url),
        ]
    )

    capsys.readouterr()
    assert code == 0
    described = admin.describe_secret(SecretId="FIG_TAGGED_SECRET")
    assert {tag["Key"]: tag["Value"] for tag in described["Tags"]} == {
        "team": "orders",
        "cost-centre": "42=a",
    }
    assert described["KmsKeyId"] == "alias/fig-secrets"
    assert described["Description"] == "Orders client secret"


@pytest.mark.parametrize("tag", ["team", "=orders", "team=a --tag team=b"])
def test_ensure_bad_tag_is_usage_error(
    tag: str, endpoint_url: str, proxy: FaultProxy, capsys: pytest.CaptureFixture[str]
) -> None:
    tag_options = [part for pair in tag.split(" --tag ") for part in ("--tag", pair)]

    code = main(["ensure", "Tags", *tag_options, *_aws(endpoint_url)])

    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert "--tag" in _one_error_line(err)
    assert proxy.count() == 0


def test_ensure_bad_client_name_makes_no_call(
    endpoint_url: str, proxy: FaultProxy, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["ensure", "Good", "Bad:Name", *_aws(endpoint_url)])

    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert "Bad:Name" in _one_error_line(err)
    assert proxy.count() == 0


@pytest.mark.parametrize("operation", ["DescribeSecret", "CreateSecret"])
def test_ensure_access_denied_exits_4(
    operation: str, endpoint_url: str, proxy: FaultProxy, capsys: pytest.CaptureFixture[str]
) -> None:
    proxy.inject(operation, _access_denied(f"secretsmanager:{operation}"))

    code = main(["ensure", "Denied", *_aws(endpoint_url)])

    out, err = capsys.readouterr()
    assert code == 4
    assert out == ""
    assert f"secretsmanager:{operation}" in _one_error_line(err)


def test_ensure_pending_deletion_exits_1(
    admin: Any, endpoint_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    admin.create_secret(Name="FIG_GONE_SECRET", SecretString=OLD_VALUE)
    admin.delete_secret(SecretId="FIG_GONE_SECRET", RecoveryWindowInDays=7)

    code = main(["ensure", "Gone", *_aws(endpoint_url)])

    _, err = capsys.readouterr()
    assert code == 1
    assert "restore-secret --secret-id FIG_GONE_SECRET" in _one_error_line(err)


# rotate


def test_rotate_from_stdin_keeps_previous(
    admin: Any,
    endpoint_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    admin.create_secret(Name="FIG_ROTATING_SECRET", SecretString=OLD_VALUE)
    _stdin(monkeypatch, f"{NEW_VALUE}\n")

    code = main(["rotate", "Rotating", *_aws(endpoint_url)])

    out, err = capsys.readouterr()
    assert code == 0
    assert out == ""
    assert _stage_value(admin, "FIG_ROTATING_SECRET") == NEW_VALUE
    assert _stage_value(admin, "FIG_ROTATING_SECRET", "AWSPREVIOUS") == OLD_VALUE
    version_id = admin.get_secret_value(SecretId="FIG_ROTATING_SECRET")["VersionId"]
    assert version_id in err
    assert "AWSPREVIOUS" in err
    assert NEW_VALUE not in err
    assert OLD_VALUE not in err


def test_rotate_keeps_value_case(
    admin: Any,
    endpoint_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The value is stored exactly as Fig shows it, so an upper-case GUID stays upper-case."""
    admin.create_secret(Name="FIG_UPPER_SECRET", SecretString=OLD_VALUE)
    _stdin(monkeypatch, NEW_VALUE.upper())

    code = main(["rotate", "Upper", *_aws(endpoint_url)])

    capsys.readouterr()
    assert code == 0
    assert _stage_value(admin, "FIG_UPPER_SECRET") == NEW_VALUE.upper()


@pytest.mark.prints_secret
def test_rotate_generate_prints_value_once(
    admin: Any, endpoint_url: str, proxy: FaultProxy, capsys: pytest.CaptureFixture[str]
) -> None:
    admin.create_secret(Name="FIG_GENERATED_SECRET", SecretString=OLD_VALUE)

    code = main(["rotate", "Generated", "--generate", *_aws(endpoint_url)])

    out, err = capsys.readouterr()
    assert code == 0
    stored = _stage_value(admin, "FIG_GENERATED_SECRET")
    assert out == f"{stored}\n"
    assert str(uuid.UUID(stored)) == stored
    assert (out + err).count(stored) == 1
    assert OLD_VALUE not in out + err
    assert proxy.count("PutSecretValue") == 1


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("hunter2-this-is-not-a-guid-at-all!!", id="words"),
        pytest.param(f"{{{NEW_VALUE}}}", id="braces"),
        pytest.param(NEW_VALUE.replace("-", ""), id="no-hyphens"),
        pytest.param(f"{NEW_VALUE}\n{OLD_VALUE}\n", id="two-lines"),
        pytest.param(f"{NEW_VALUE}0", id="one-too-many"),
        pytest.param(f"urn:uuid:{NEW_VALUE}", id="urn"),
        pytest.param("x" * 10_000, id="huge"),
    ],
)
def test_rotate_rejects_non_guid_without_echo(
    text: str,
    admin: Any,
    endpoint_url: str,
    proxy: FaultProxy,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    admin.create_secret(Name="FIG_GUARDED_SECRET", SecretString=OLD_VALUE)
    _stdin(monkeypatch, text)

    code = main(["rotate", "Guarded", *_aws(endpoint_url)])

    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    line = _one_error_line(err)
    assert "not a GUID" in line
    assert NEW_VALUE not in line
    assert NEW_VALUE.replace("-", "") not in line
    assert "hunter2" not in line
    assert "xxxxxxxxxx" not in line
    assert proxy.count() == 0
    assert _stage_value(admin, "FIG_GUARDED_SECRET") == OLD_VALUE


@pytest.mark.parametrize("text", ["", "\n", "  \n\t\n"])
def test_rotate_rejects_empty_stdin(
    text: str,
    endpoint_url: str,
    proxy: FaultProxy,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _stdin(monkeypatch, text)

    code = main(["rotate", "Empty Input", *_aws(endpoint_url)])

    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert "No new client secret" in _one_error_line(err)
    assert proxy.count() == 0


def test_rotate_rejects_guid_fig_would_reject(
    endpoint_url: str,
    proxy: FaultProxy,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The nil GUID has 2 distinct characters; Fig needs 10."""
    _stdin(monkeypatch, "00000000-0000-0000-0000-000000000000")

    code = main(["rotate", "Nil", *_aws(endpoint_url)])

    _, err = capsys.readouterr()
    assert code == 2
    assert "only 2 distinct character(s)" in _one_error_line(err)
    assert proxy.count() == 0


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_rotate_prompts_on_terminal_without_echo(
    admin: Any,
    endpoint_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """On a terminal the value is read with getpass, which does not echo it."""
    admin.create_secret(Name="FIG_TYPED_SECRET", SecretString=OLD_VALUE)
    prompts: list[str] = []

    def fake_getpass(prompt: str = "") -> str:
        prompts.append(prompt)

        return NEW_VALUE

    monkeypatch.setattr("sys.stdin", _Terminal("typed ahead, never read"))
    monkeypatch.setattr("getpass.getpass", fake_getpass)

    code = main(["rotate", "Typed", *_aws(endpoint_url)])

    _, err = capsys.readouterr()
    assert code == 0, err
    assert len(prompts) == 1
    assert "GUID" in prompts[0]
    assert _stage_value(admin, "FIG_TYPED_SECRET") == NEW_VALUE


def test_rotate_missing_secret_exits_3(
    endpoint_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _stdin(monkeypatch, NEW_VALUE)

    code = main(["rotate", "Never Made", *_aws(endpoint_url)])

    out, err = capsys.readouterr()
    assert code == 3
    assert out == ""
    line = _one_error_line(err)
    assert "FIG_NEVERMADE_SECRET" in line
    assert "fig-secret-aws ensure" in line
    assert NEW_VALUE not in line


def test_rotate_generate_failure_prints_no_value(
    admin: Any, endpoint_url: str, proxy: FaultProxy, capsys: pytest.CaptureFixture[str]
) -> None:
    """A generated value that was not stored is not shown: it would be of no use."""
    admin.create_secret(Name="FIG_REFUSED_SECRET", SecretString=OLD_VALUE)
    proxy.inject("PutSecretValue", _access_denied("secretsmanager:PutSecretValue"))

    code = main(["rotate", "Refused", "--generate", *_aws(endpoint_url)])

    out, err = capsys.readouterr()
    assert code == 4
    assert out == ""
    assert "secretsmanager:PutSecretValue" in _one_error_line(err)
    assert _stage_value(admin, "FIG_REFUSED_SECRET") == OLD_VALUE


def test_rotate_lost_reply_stores_one_version(
    admin: Any,
    endpoint_url: str,
    proxy: FaultProxy,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    admin.create_secret(Name="FIG_RETRIED_SECRET", SecretString=OLD_VALUE)
    proxy.inject("PutSecretValue", DropAfterForward())
    _stdin(monkeypatch, NEW_VALUE)

    code = main(["rotate", "Retried", *_aws(endpoint_url)])

    capsys.readouterr()
    assert code == 0
    assert proxy.count("PutSecretValue") == 2
    versions = admin.list_secret_version_ids(SecretId="FIG_RETRIED_SECRET")["Versions"]
    assert len(versions) == 2


# get


@pytest.mark.prints_secret
def test_get_prints_secret_once(
    admin: Any, endpoint_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    admin.create_secret(Name="FIG_PRINTED_SECRET", SecretString=OLD_VALUE)

    code = main(["get", "Printed", *_aws(endpoint_url)])

    out, err = capsys.readouterr()
    assert code == 0
    assert out == f"{OLD_VALUE}\n"
    assert err == ""


def test_get_missing_exits_3(
    endpoint_url: str, proxy: FaultProxy, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["get", "Absent", *_aws(endpoint_url)])

    out, err = capsys.readouterr()
    assert code == 3
    assert out == ""
    line = _one_error_line(err)
    assert "FIG_ABSENT_SECRET" in line
    assert "--create creates it" in line
    assert proxy.count("CreateSecret") == 0


def test_get_access_denied_exits_4(
    admin: Any, endpoint_url: str, proxy: FaultProxy, capsys: pytest.CaptureFixture[str]
) -> None:
    admin.create_secret(Name="FIG_FORBIDDEN_SECRET", SecretString=OLD_VALUE)
    proxy.inject("GetSecretValue", _access_denied("secretsmanager:GetSecretValue"))

    code = main(["get", "Forbidden", *_aws(endpoint_url)])

    out, err = capsys.readouterr()
    assert code == 4
    assert out == ""
    assert "secretsmanager:GetSecretValue" in _one_error_line(err)
    assert OLD_VALUE not in err


def test_get_invalid_client_name_exits_2(
    endpoint_url: str, proxy: FaultProxy, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["get", "no,commas", *_aws(endpoint_url)])

    _, err = capsys.readouterr()
    assert code == 2
    assert "','" in _one_error_line(err)
    assert proxy.count() == 0


# policy


def _policy(capsys: pytest.CaptureFixture[str], *arguments: str) -> dict[str, Any]:
    code = main(["policy", *arguments])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert err == ""

    document: dict[str, Any] = json.loads(out)

    return document


def test_policy_default_allows_only_reads(capsys: pytest.CaptureFixture[str]) -> None:
    document = _policy(capsys, "My Service", "Billing", "MyService")

    assert document["Version"] == "2012-10-17"
    assert document["Statement"] == [
        {
            "Sid": "FigClientSecrets",
            "Effect": "Allow",
            "Action": ["secretsmanager:GetSecretValue"],
            "Resource": [
                "arn:aws:secretsmanager:*:*:secret:FIG_MYSERVICE_SECRET-??????",
                "arn:aws:secretsmanager:*:*:secret:FIG_BILLING_SECRET-??????",
            ],
        }
    ]


def test_policy_allow_create_adds_create(capsys: pytest.CaptureFixture[str]) -> None:
    document = _policy(
        capsys, "Orders", "--allow-create", "--region", "eu-west-1", "--account-id", "123456789012"
    )

    (statement,) = document["Statement"]
    assert sorted(statement["Action"]) == [
        "secretsmanager:CreateSecret",
        "secretsmanager:GetSecretValue",
    ]
    assert statement["Resource"] == [
        "arn:aws:secretsmanager:eu-west-1:123456789012:secret:FIG_ORDERS_SECRET-??????"
    ]


def test_policy_kms_key_allows_decrypt_only(capsys: pytest.CaptureFixture[str]) -> None:
    document = _policy(capsys, "Orders", "--kms-key-arn", KEY_ARN)

    secrets, key = document["Statement"]
    assert secrets["Action"] == ["secretsmanager:GetSecretValue"]
    assert key == {
        "Sid": "FigClientSecretsKmsKey",
        "Effect": "Allow",
        "Action": ["kms:Decrypt"],
        "Resource": KEY_ARN,
    }


def test_policy_kms_key_with_create_adds_data_key(capsys: pytest.CaptureFixture[str]) -> None:
    document = _policy(capsys, "Orders", "--kms-key-arn", KEY_ARN, "--allow-create")

    assert document["Statement"][1]["Action"] == ["kms:Decrypt", "kms:GenerateDataKey"]


def test_policy_never_mentions_kms_without_key(capsys: pytest.CaptureFixture[str]) -> None:
    document = _policy(capsys, "Orders", "--allow-create")

    assert "kms:" not in json.dumps(document)


def test_policy_partition_in_arns(capsys: pytest.CaptureFixture[str]) -> None:
    document = _policy(capsys, "Orders", "--partition", "aws-us-gov", "--region", "us-gov-west-1")

    assert document["Statement"][0]["Resource"] == [
        "arn:aws-us-gov:secretsmanager:us-gov-west-1:*:secret:FIG_ORDERS_SECRET-??????"
    ]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        pytest.param(["--region", "Europe"], "--region", id="bad-region"),
        pytest.param(["--account-id", "1234"], "--account-id", id="short-account"),
        pytest.param(
            ["--kms-key-arn", "arn:aws:kms:eu-west-1:123456789012:alias/fig"],
            "alias",
            id="alias-arn",
        ),
        pytest.param(["--kms-key-arn", "1234abcd-12ab"], "--kms-key-arn", id="key-id"),
        pytest.param(
            ["--kms-key-arn", KEY_ARN, "--region", "us-east-1"], "own region", id="other-region"
        ),
        pytest.param(["--kms-key-arn", KEY_ARN, "--partition", "aws-cn"], "partition", id="cn"),
        pytest.param(["--partition", "azure"], "invalid choice", id="unknown-partition"),
    ],
)
def test_policy_bad_option_is_usage_error(
    arguments: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["policy", "Orders", *arguments])

    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert message in _one_error_line(err)


# usage and help


@pytest.mark.parametrize(
    "arguments",
    [
        pytest.param([], id="no-command"),
        pytest.param(["frobnicate"], id="unknown-command"),
        pytest.param(["get", "X", "--no-such-option"], id="unknown-option"),
        pytest.param(["ensure"], id="missing-client"),
        pytest.param(["rotate", "A", "B"], id="extra-argument"),
    ],
)
def test_usage_error_is_one_line_exit_2(
    arguments: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(arguments)

    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert "--help" in _one_error_line(err)


AWS_OPTIONS = ["--region", "--profile", "--endpoint-url"]


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        pytest.param("get", ["CLIENT_NAME", "--create", *AWS_OPTIONS], id="get"),
        pytest.param("name", ["CLIENT_NAME", "No AWS call"], id="name"),
        pytest.param(
            "ensure",
            ["--kms-key-id", "--tag", "--description", "DescribeSecret", *AWS_OPTIONS],
            id="ensure",
        ),
        pytest.param(
            "rotate",
            ["--generate", "AWSPREVIOUS", "grace period", "cache TTL", *AWS_OPTIONS],
            id="rotate",
        ),
        pytest.param(
            "policy",
            ["--allow-create", "--kms-key-arn", "--region", "--account-id", "kms:Decrypt"],
            id="policy",
        ),
        pytest.param("demo", ["127.0.0.1"], id="demo"),
    ],
)
def test_help_is_complete(
    command: str, expected: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code = main([command, "--help"])

    out, err = capsys.readouterr()
    assert code == 0
    assert err == ""
    text_of_help = " ".join(out.split())  # argparse wraps lines anywhere
    for text in expected:
        assert text in text_of_help
    assert "Exit codes" in text_of_help


def test_top_level_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--help"])

    out, _ = capsys.readouterr()
    assert code == 0
    for command in ("get", "name", "ensure", "rotate", "policy", "demo"):
        assert f"    {command} " in out


# a real child process


def _run_module(
    arguments: list[str], environment: dict[str, str], stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    process = subprocess.Popen(  # noqa: S603 (the interpreter running the tests)
        [sys.executable, "-W", "error", "-m", "fig_secret_aws", *arguments],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment,
    )
    out, err = process.communicate(stdin, timeout=SUBPROCESS_TIMEOUT)

    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def test_module_runs_ensure_rotate_and_errors(
    admin: Any, proxy: FaultProxy, tmp_path: Path
) -> None:
    """``python -m fig_secret_aws`` in an isolated child, reaching moto through the proxy."""
    environment = child_process_environment(proxy.url, tmp_path)

    ensured = _run_module(["ensure", "Child Process"], environment)
    rotated = _run_module(["rotate", "Child Process"], environment, stdin=NEW_VALUE)
    proxy.inject("GetSecretValue", _access_denied("secretsmanager:GetSecretValue"))
    denied = _run_module(["get", "Child Process"], environment)
    missing = _run_module(["rotate", "Nobody", "--generate"], environment)

    assert (ensured.returncode, ensured.stderr) == (0, "")
    assert ensured.stdout.startswith("FIG_CHILDPROCESS_SECRET\tcreated\tarn:aws:secretsmanager:")
    assert rotated.returncode == 0
    assert rotated.stdout == ""
    assert _stage_value(admin, "FIG_CHILDPROCESS_SECRET") == NEW_VALUE
    assert denied.returncode == 4
    assert denied.stdout == ""
    assert "secretsmanager:GetSecretValue" in _one_error_line(denied.stderr)
    assert missing.returncode == 3
    assert missing.stdout == ""
    assert "FIG_NOBODY_SECRET" in _one_error_line(missing.stderr)
    assert proxy.count("PutSecretValue") == 2


@pytest.mark.prints_secret
def test_module_get_prints_secret(admin: Any, proxy: FaultProxy, tmp_path: Path) -> None:
    admin.create_secret(Name="FIG_CHILDREAD_SECRET", SecretString=OLD_VALUE)
    environment = child_process_environment(proxy.url, tmp_path)

    result = _run_module(["get", "Child Read"], environment)

    assert result.returncode == 0
    assert result.stdout == f"{OLD_VALUE}\n"
    assert result.stderr == ""
    assert proxy.count("GetSecretValue") == 1


def test_policy_allow_tagging_adds_tag_resource(capsys: pytest.CaptureFixture[str]) -> None:
    document = _policy(capsys, "Orders", "--allow-create", "--allow-tagging")

    (statement,) = document["Statement"]
    assert sorted(statement["Action"]) == [
        "secretsmanager:CreateSecret",
        "secretsmanager:GetSecretValue",
        "secretsmanager:TagResource",
    ]


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        pytest.param(["--allow-tagging"], "--allow-create", id="tagging-without-create"),
        pytest.param(["--region", "cn-north-1"], "--partition aws-cn", id="china-region"),
        pytest.param(["--region", "us-gov-west-1"], "--partition aws-us-gov", id="govcloud"),
        pytest.param(
            ["--partition", "aws-cn", "--region", "eu-west-1"], "--partition aws", id="cn-mix"
        ),
    ],
)
def test_policy_inconsistent_options_exit_2(
    arguments: list[str], expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["policy", "Orders", *arguments])

    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert expected in err


@pytest.mark.prints_secret
def test_get_weak_secret_warns_on_stderr(
    admin: Any, endpoint_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    admin.create_secret(Name="FIG_WEAK_SECRET", SecretString="weak-1")

    code = main(["get", "Weak", *_aws(endpoint_url)])

    out, err = capsys.readouterr()
    assert code == 0
    assert out == "weak-1\n"
    (line,) = err.splitlines()
    assert line.startswith("fig-secret-aws: warning: ")
    assert "FIG_WEAK_SECRET" in line
    assert "weak-1" not in line


def test_error_keeps_spaces_of_client_name(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["name", "My  Serv#ice"])

    _, err = capsys.readouterr()
    assert code == 2
    assert "'My  Serv#ice'" in _one_error_line(err)


@pytest.mark.parametrize(
    "options",
    [
        pytest.param(["--region", ""], id="empty-region"),
        pytest.param(["--region", "not a region"], id="bad-region"),
        pytest.param(["--endpoint-url", ""], id="empty-endpoint"),
        pytest.param(["--endpoint-url", "ftp://127.0.0.1:1"], id="ftp-endpoint"),
    ],
)
@pytest.mark.parametrize("command", ["get", "ensure"])
def test_bad_aws_option_exits_2(
    command: str, options: list[str], proxy: FaultProxy, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main([command, "Orders", *options])

    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert options[0] in _one_error_line(err)
    assert proxy.count() == 0


def test_missing_region_names_region_option(
    endpoint_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("AWS_DEFAULT_REGION")

    code = main(["get", "Orders", "--endpoint-url", endpoint_url])

    _, err = capsys.readouterr()
    assert code == 1
    assert "pass --region" in _one_error_line(err)


@pytest.mark.prints_secret
def test_closed_stdout_ends_without_traceback(
    admin: Any, proxy: FaultProxy, tmp_path: Path
) -> None:
    """``fig-secret-aws get X | head -c0``: the reader has gone before the secret is printed."""
    admin.create_secret(Name="FIG_PIPED_SECRET", SecretString=OLD_VALUE)
    environment = child_process_environment(proxy.url, tmp_path)
    process = subprocess.Popen(
        [sys.executable, "-m", "fig_secret_aws", "get", "Piped"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=environment,
    )
    assert process.stdout is not None
    assert process.stderr is not None
    process.stdout.close()

    err = process.stderr.read().decode()
    process.stderr.close()
    code = process.wait(timeout=SUBPROCESS_TIMEOUT)

    assert code == 1
    assert "Traceback" not in err
    assert proxy.count("GetSecretValue") == 1
