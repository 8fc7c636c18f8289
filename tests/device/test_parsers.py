"""Pure parsers of pm/am/cmd/ps/getprop output, against output as Android prints it."""

from __future__ import annotations

import pytest

from device import adb, install_errors, packages, users
from device.server import parse_server


@pytest.mark.parametrize(
    ("output", "expected"),
    [
        ("Performing Streamed Install\nSuccess\n", None),
        ("Success\n", None),
        (
            "Failure [INSTALL_FAILED_UPDATE_INCOMPATIBLE: Package com.x signatures do not match "
            "previously installed version; ignoring!]",
            (
                "INSTALL_FAILED_UPDATE_INCOMPATIBLE",
                "Package com.x signatures do not match previously installed version; ignoring!",
            ),
        ),
        ("Failure [INSTALL_FAILED_ALREADY_EXISTS]", ("INSTALL_FAILED_ALREADY_EXISTS", "")),
        (
            "adb: failed to install a.apk: Failure [INSTALL_PARSE_FAILED_NO_CERTIFICATES: "
            "Failed to collect certificates from /data/app/vmdl.tmp/base.apk]",
            (
                "INSTALL_PARSE_FAILED_NO_CERTIFICATES",
                "Failed to collect certificates from /data/app/vmdl.tmp/base.apk",
            ),
        ),
        (
            "Error: INSTALL_FAILED_INSUFFICIENT_STORAGE: not enough space",
            ("INSTALL_FAILED_INSUFFICIENT_STORAGE", "not enough space"),
        ),
        ("Error: Unable to open file: /x.apk\n", ("UNKNOWN", "Error: Unable to open file: /x.apk")),
    ],
)
def test_parse_failure(output: str, expected: tuple[str, str] | None) -> None:
    assert install_errors.parse_failure(output) == expected


@pytest.mark.parametrize(
    "code",
    [
        "INSTALL_FAILED_UPDATE_INCOMPATIBLE",
        "INSTALL_FAILED_NO_MATCHING_ABIS",
        "INSTALL_FAILED_INSUFFICIENT_STORAGE",
        "INSTALL_FAILED_VERSION_DOWNGRADE",
        "INSTALL_PARSE_FAILED_NO_CERTIFICATES",
        "INSTALL_FAILED_OLDER_SDK",
        "INSTALL_FAILED_ALREADY_EXISTS",
        "INSTALL_PARSE_FAILED_INCONSISTENT_CERTIFICATES",
    ],
)
def test_every_named_code_has_its_own_explanation(code: str) -> None:
    assert code in install_errors.known_codes()
    why = install_errors.explain(code)
    assert why.cause and why.action
    assert why != install_errors.explain("INSTALL_FAILED_NOT_A_REAL_CODE")


def test_update_incompatible_says_to_remove_the_clone() -> None:
    why = install_errors.explain("INSTALL_FAILED_UPDATE_INCOMPATIBLE")
    assert "another key" in why.cause
    assert "clone remove" in why.action


def test_parse_resolved_activity() -> None:
    text = (
        "priority=0 preferredOrder=0 match=0x108000 specificIndex=-1 isDefault=true\n"
        "com.example.clone1/com.example.MainActivity\n"
    )
    assert packages.parse_resolved_activity(text) == "com.example.clone1/com.example.MainActivity"
    assert packages.parse_resolved_activity("No activity found\n") is None


def test_parse_session_id() -> None:
    assert packages.parse_session_id("Success: created install session [1234567]\n") == 1234567
    with pytest.raises(ValueError, match="no install session"):
        packages.parse_session_id("Error: java.lang.SecurityException\n")


def test_parse_package_list() -> None:
    text = "package:com.a\npackage:com.b\n\n"
    assert packages.parse_package_list(text) == {"com.a", "com.b"}


def test_parse_am_start_error() -> None:
    packages.parse_am_start("Starting: Intent { cmp=a/.B }\nStatus: ok\n")
    with pytest.raises(ValueError, match="does not exist"):
        packages.parse_am_start("Error: Activity class {a/a.B} does not exist.\n")


def test_users_parsers() -> None:
    assert users.parse_max_users("Maximum supported users: 4\n") == 4
    assert users.parse_created_user("Success: created user id 11\n") == 11
    listed = users.parse_users("Users:\n\tUserInfo{0:Owner:c13} running\n\tUserInfo{10:w:410}\n")
    assert [(u.id, u.running) for u in listed] == [(0, True), (10, False)]
    with pytest.raises(ValueError, match="no user limit"):
        users.parse_max_users("Error\n")


@pytest.mark.parametrize(
    ("text", "host", "port"),
    [("10.0.0.2:5037", "10.0.0.2", 5037), ("farm", "farm", 5037), ("[::1]:6000", "::1", 6000)],
)
def test_parse_server(text: str, host: str, port: int) -> None:
    server = parse_server(text)
    assert (server.host, server.port) == (host, port)


@pytest.mark.parametrize("text", ["host:0", "host:70000", "host:abc"])
def test_parse_server_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="bad adb server"):
        parse_server(text)


def test_abilist() -> None:
    assert adb.parse_abilist("arm64-v8a,armeabi-v7a,armeabi\n") == (
        "arm64-v8a",
        "armeabi-v7a",
        "armeabi",
    )
    assert adb.parse_abilist("") == ()


def test_users_parser_keeps_names_with_colons() -> None:
    listed = users.parse_users("\tUserInfo{11:work: profile:1030} running\n")
    assert [(u.id, u.name) for u in listed] == [(11, "work: profile")]


def test_parse_pm_path_base_first() -> None:
    """``pm path`` of a split install (Android 11+ layout): base.apk first, then splits."""
    text = (
        "package:/data/app/~~Xq1==/com.example.app-Yw2==/split_config.arm64_v8a.apk\n"
        "package:/data/app/~~Xq1==/com.example.app-Yw2==/base.apk\n"
    )
    assert packages.parse_pm_path(text) == [
        "/data/app/~~Xq1==/com.example.app-Yw2==/base.apk",
        "/data/app/~~Xq1==/com.example.app-Yw2==/split_config.arm64_v8a.apk",
    ]
    assert packages.parse_pm_path("") == []


def test_users_parser_reads_the_flags() -> None:
    text = (
        "Users:\n"
        "\tUserInfo{0:Owner:c13} running\n"
        "\tUserInfo{10:Work profile:1030} running\n"
        "\tUserInfo{11:clonespace-x-2:410}\n"
    )
    owner, profile, full = users.parse_users(text)
    assert (owner.is_profile, profile.is_profile, full.is_profile) == (False, True, False)
    assert profile.flags == 0x1030 and not full.running


def test_parse_current_user() -> None:
    assert users.parse_current_user("10\n") == 10
    with pytest.raises(ValueError, match="no current user"):
        users.parse_current_user("Error: unknown command\n")
