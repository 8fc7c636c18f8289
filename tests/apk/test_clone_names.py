"""Clone package names: template expansion, Android's package-name rules."""

from __future__ import annotations

import pytest

from apk.clone_names import (
    DEFAULT_TEMPLATE,
    MAX_PACKAGE_LENGTH,
    ClonePackageError,
    check_package_name,
    clone_packages,
)


def test_default_template() -> None:
    assert clone_packages(DEFAULT_TEMPLATE, "com.whatsapp", [1, 2]) == [
        "com.whatsapp.clone1",
        "com.whatsapp.clone2",
    ]


def test_custom_template() -> None:
    assert clone_packages("work{n}.{package}", "org.app", [3]) == ["work3.org.app"]


@pytest.mark.parametrize(
    ("template", "reason"),
    [
        ("{package}.clone", "has no {n}"),
        ("{package}.{who}{n}", "{who}"),
        ("{package}.clone{n", "not valid"),
        ("{package}.{n}", "not a valid package name"),
        ("{package}-{n}", "not a valid package name"),
        ("x{n}", "not a valid package name"),
        ("{package}.c{n}" + "x" * MAX_PACKAGE_LENGTH, "characters"),
    ],
)
def test_bad_templates(template: str, reason: str) -> None:
    with pytest.raises(ClonePackageError, match=reason.replace("{", r"\{").replace("}", r"\}")):
        clone_packages(template, "com.example", [1, 2])


def test_names_must_differ() -> None:
    with pytest.raises(ClonePackageError, match="same name"):
        clone_packages("{package}.c{n}", "com.example", [1, 1])


@pytest.mark.parametrize("name", ["a.b", "com.example.app_2", "A1.b_c.D"])
def test_valid_package_names(name: str) -> None:
    assert check_package_name(name) == name


@pytest.mark.parametrize("name", ["ab", "a..b", ".a.b", "a.b.", "1a.b", "a.b-c", "a.é", "a b.c"])
def test_invalid_package_names(name: str) -> None:
    with pytest.raises(ClonePackageError):
        check_package_name(name)
